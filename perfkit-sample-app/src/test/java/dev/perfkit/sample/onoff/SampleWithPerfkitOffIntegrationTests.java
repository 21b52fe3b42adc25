package dev.perfkit.sample.onoff;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * Every sample endpoint with {@code perfkit.enabled=false}: Boot's own Redis cache stores
 * the cached types, and nothing is limited, so the sixth failed login is another 401.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "perfkit.enabled=false")
class SampleWithPerfkitOffIntegrationTests extends SampleEndpointsChecks {

	@Override
	boolean perfkitEnabled() {
		return false;
	}

}
