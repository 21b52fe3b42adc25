package dev.perfkit.autoconfigure.ratelimit;

import java.net.http.HttpResponse;
import java.time.Duration;

import dev.perfkit.test.RedisProcess;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static dev.perfkit.autoconfigure.ratelimit.RateLimitWebIntegrationTests.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Redis process killed under a running application: each tier follows its failure
 * policy, and limiting on Redis resumes once it is back, without restarting anything.
 */
class RateLimitOutageIntegrationTests {

	@Test
	void eachTierFollowsItsFailurePolicyWhileRedisIsDownAndRedisLimitingResumesAfterARestart() throws Exception {
		try (RedisProcess redis = RedisProcess.start();
				ConfigurableApplicationContext app = new SpringApplicationBuilder(RateLimitTestApplication.class)
					.properties(RateLimitWebIntegrationTests.properties(redis.port()).toArray(String[]::new))
					.properties("perfkit.redis.command-timeout=200ms", "perfkit.redis.circuit-breaker.failure-threshold=2")
					.run()) {
			await().atMost(Duration.ofSeconds(20)).until(() -> send(app, "GET", "/update").headers()
				.firstValue("X-RateLimit-Limit").isPresent());
			assertThat(send(app, "POST", "/login").statusCode()).isEqualTo(200);

			redis.kill();
			// standard allows: no limit, no headers, once the connector has noticed
			await().atMost(Duration.ofSeconds(20)).until(() -> send(app, "GET", "/update").headers()
				.firstValue("X-RateLimit-Limit").isEmpty());
			for (int i = 0; i < 200; i++) {
				assertThat(send(app, "GET", "/update").statusCode()).isEqualTo(200);
			}
			// auth falls back to the local limiter: five more, then 429
			for (int i = 0; i < 5; i++) {
				assertThat(send(app, "POST", "/login").statusCode()).isEqualTo(200);
			}
			HttpResponse<String> limited = send(app, "POST", "/login");
			assertThat(limited.statusCode()).isEqualTo(429);
			MeterRegistry meters = app.getBean(MeterRegistry.class);
			assertThat(meters.get("perfkit.ratelimit.fallbacks").tag("tier", "auth").counter().count()).isEqualTo(6);
			assertThat(meters.get("perfkit.ratelimit.requests").tag("tier", "standard").tag("outcome", "error")
				.functionCounter().count()).isGreaterThanOrEqualTo(200);
			// The connection is lost, so calls are refused as by an open breaker.
			assertThat(meters.get("perfkit.ratelimit.breaker.state").gauge().value()).isEqualTo(2);

			redis.restart();
			await().atMost(Duration.ofSeconds(20)).until(() -> send(app, "GET", "/update").headers()
				.firstValue("X-RateLimit-Limit").isPresent());
			// Redis came back empty: counting starts afresh there
			HttpResponse<String> resumed = send(app, "POST", "/login");
			assertThat(resumed.statusCode()).isEqualTo(200);
			assertThat(resumed.headers().firstValue("X-RateLimit-Remaining")).hasValue("4");
			assertThat(meters.get("perfkit.ratelimit.breaker.state").gauge().value()).isZero();
		}
	}

}
