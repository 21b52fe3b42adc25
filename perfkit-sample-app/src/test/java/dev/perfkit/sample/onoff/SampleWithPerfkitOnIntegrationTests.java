package dev.perfkit.sample.onoff;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Every sample endpoint with perfkit on, on the test Redis: the sixth failed login is a 429.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class SampleWithPerfkitOnIntegrationTests extends SampleEndpointsChecks {

	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry properties) {
		testRedis(properties);
		// The checks count exactly (the sixth login is a 429, an evict is read back): a
		// generous command timeout keeps a loaded machine from turning a slow answer into a
		// failure-policy decision or an evict left to reconciliation.
		properties.add("perfkit.redis.command-timeout", () -> "10s");
	}

	@Override
	boolean perfkitEnabled() {
		return true;
	}

}
