package dev.perfkit.sample.observability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.perfkit.test.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample with the real cache engine (and rate limiter) on a Redis of its own:
 * stopping that Redis turns {@code /actuator/perfkit} to {@code DEGRADED} with the reason
 * and the {@code perfkit} health group to {@code DEGRADED} while liveness stays
 * {@code UP}; starting it again restores both.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.data.redis.timeout=500ms", "perfkit.redis.command-timeout=250ms",
				"perfkit.redis.reconnect-backoff=100ms", "perfkit.redis.circuit-breaker.open-duration=200ms" })
class RedisOutageIntegrationTests {

	private static final Duration BOUND = Duration.ofSeconds(30);

	private static final RedisProcess redis = RedisProcess.start();

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry properties) {
		properties.add("spring.data.redis.host", () -> "127.0.0.1");
		properties.add("spring.data.redis.port", redis::port);
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void stoppingRedisDegradesTheReportWithTheReasonAndStartingItRestoresIt() throws Exception {
		await("healthy with Redis").atMost(BOUND).untilAsserted(() -> {
			JsonNode report = json("/actuator/perfkit");
			assertThat(report.at("/degraded/active").asBoolean()).as(report.at("/degraded").toString()).isFalse();
			assertThat(json("/actuator/health/perfkit").at("/components/perfkitCache/status").asString())
				.isEqualTo("UP");
		});

		redis.kill();
		await("degraded without Redis").atMost(BOUND).untilAsserted(() -> {
			get("/api/pricing");
			JsonNode report = json("/actuator/perfkit");
			assertThat(report.get("status").asString()).isIn("DEGRADED", "CRITICAL");
			assertThat(report.at("/degraded/active").asBoolean()).isTrue();
			assertThat(report.at("/degraded/reasons")).anySatisfy((reason) -> assertThat(reason.asString())
				.contains("cache Redis"));
			JsonNode group = json("/actuator/health/perfkit");
			assertThat(group.get("status").asString()).isEqualTo("DEGRADED");
			assertThat(group.at("/components/perfkitCache/status").asString()).isEqualTo("DEGRADED");
			assertThat(group.at("/components/perfkitCache/details/state").asString()).isEqualTo("degraded");
		});
		assertThat(get("/api/pricing").statusCode()).as("the cache keeps serving").isEqualTo(200);
		assertThat(get("/actuator/health/perfkit").statusCode()).isEqualTo(200);
		assertThat(json("/actuator/health/liveness").get("status").asString()).isEqualTo("UP");

		redis.restart();
		await("restored with Redis").atMost(BOUND).untilAsserted(() -> {
			get("/api/pricing");
			JsonNode report = json("/actuator/perfkit");
			assertThat(report.at("/degraded/active").asBoolean()).as(report.at("/degraded").toString()).isFalse();
			assertThat(report.get("status").asString()).isNotIn("DEGRADED", "CRITICAL");
			assertThat(json("/actuator/health/perfkit").get("status").asString()).isEqualTo("UP");
		});
	}

	private JsonNode json(String path) throws Exception {
		return JsonMapper.shared().readTree(get(path).body());
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
