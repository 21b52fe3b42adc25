package dev.perfkit.sample.onoff;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * Every sample endpoint with {@code perfkit.enabled=false} and no Redis answering (port 1
 * is never a Redis), as the README's demo may run: Boot's Redis cache fails every call,
 * and the sample's error handler turns each failure into a miss.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "perfkit.enabled=false",
		"spring.data.redis.port=1", "spring.data.redis.connect-timeout=100ms", "spring.data.redis.timeout=100ms" })
class SampleWithPerfkitOffWithoutRedisTests extends SampleEndpointsChecks {

	@Override
	boolean perfkitEnabled() {
		return false;
	}

}
