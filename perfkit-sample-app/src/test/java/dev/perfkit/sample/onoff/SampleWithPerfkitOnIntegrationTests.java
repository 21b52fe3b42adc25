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
	}

	@Override
	boolean perfkitEnabled() {
		return true;
	}

}
