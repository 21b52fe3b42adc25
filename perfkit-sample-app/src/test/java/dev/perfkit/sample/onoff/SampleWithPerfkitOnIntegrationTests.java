package dev.perfkit.sample.onoff;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * Every sample endpoint with perfkit on, on the test Redis: the sixth failed login is a 429.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class SampleWithPerfkitOnIntegrationTests extends SampleEndpointsChecks {

	@Override
	boolean perfkitEnabled() {
		return true;
	}

}
