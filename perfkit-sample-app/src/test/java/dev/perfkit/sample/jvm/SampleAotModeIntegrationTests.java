package dev.perfkit.sample.jvm;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;

import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.TestRedis;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample, built with Spring AOT processing ({@code process-aot} in its pom), runs on
 * the JVM in AOT mode ({@code -Dspring.aot.enabled=true}) against a real Redis: caching
 * (with Boot's {@code cache.*} meters), rate limiting and the {@code perfkit} endpoint all
 * work from the generated bean definitions.
 */
class SampleAotModeIntegrationTests {

	@Test
	void theAotProcessedSampleCachesRateLimitsAndReports() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (SampleProcess sample = SampleProcess.start("sample-aot-mode",
				SampleProcess.javaOf(System.getProperty("java.home")), List.of("-Dspring.aot.enabled=true", "-Xmx512m"),
				List.of("--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port()))) {
			assertThat(sample.output()).as("Boot announces the AOT-processed start").contains("Starting AOT-processed");

			// Caching: the second call is a hit, counted by Boot's cache.gets meter.
			assertThat(sample.get("/api/pricing").statusCode()).isEqualTo(200);
			HttpResponse<String> second = sample.get("/api/pricing");
			assertThat(second.statusCode()).isEqualTo(200);
			assertThat(second.headers().firstValue("X-Cache-Status")).hasValue("HIT");
			HttpResponse<String> hits = sample.get("/actuator/metrics/cache.gets?tag=cache:pricing&tag=result:hit");
			assertThat(hits.statusCode()).isEqualTo(200);
			assertThat(hits.body()).doesNotContain("\"value\":0.0");

			// Rate limiting: the auth tier allows five attempts per account, then 429.
			String email = "aot-" + UUID.randomUUID() + "@example.com";
			String body = "{\"email\":\"" + email + "\",\"password\":\"x\"}";
			for (int i = 0; i < 5; i++) {
				assertThat(sample.post("/api/auth/login", body, "203.0.113." + (i + 1)).statusCode()).isEqualTo(401);
			}
			HttpResponse<String> limited = sample.post("/api/auth/login", body, "203.0.113.99");
			assertThat(limited.statusCode()).isEqualTo(429);
			assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");

			// The endpoint: the report and its sections.
			HttpResponse<String> report = sample.get("/actuator/perfkit");
			assertThat(report.statusCode()).isEqualTo(200);
			assertThat(report.body()).contains("\"score\"");
			assertThat(sample.get("/actuator/perfkit/cache").body()).contains("\"pricing\"");
			assertThat(sample.get("/actuator/perfkit/rateLimit").body()).contains("\"auth\"");
		}
	}

}
