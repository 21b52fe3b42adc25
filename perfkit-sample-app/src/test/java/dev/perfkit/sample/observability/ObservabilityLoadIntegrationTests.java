package dev.perfkit.sample.observability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import dev.perfkit.test.MeterTable;
import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.TestRedis;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A short scripted load on the running sample over HTTP, against the shared Redis (with a
 * key prefix and channel of its own): cache hits and misses, 429s from a rate-limited
 * endpoint, a slow query (the threshold is 0 ms here: the balance report is fast on H2)
 * and the N+1 endpoint. Then every section of {@code /actuator/perfkit} has figures that
 * agree with {@code /actuator/prometheus}, recommendations carry their evidence, and the
 * {@code perfkit.*} meters in the registry are exactly the meter table of
 * docs/observability.md.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "perfkit.query.slow-threshold=0ms", "perfkit.report.min-cache-gets=5",
				// The sample's 20/1m token bucket refills a permit every 3 s, so a loop slower
				// than that (a loaded machine) would see fewer than 5 rejections; 20/1h
				// refills one every 3 minutes.
				"perfkit.rate-limit.tiers.webhooks.limits=20/1h",
				// Counted exactly: a slow answer must not become a failure-policy decision.
				"perfkit.redis.command-timeout=10s" })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityLoadIntegrationTests {

	private static final String RUN = UUID.randomUUID().toString();

	private static final Duration BOUND = Duration.ofSeconds(30);

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private MeterRegistry registry;

	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry properties) {
		RedisEndpoint redis = TestRedis.get();
		properties.add("spring.data.redis.host", redis::host);
		properties.add("spring.data.redis.port", redis::port);
		properties.add("perfkit.cache.key-prefix", () -> "perfkit:test:" + RUN + ":cache:");
		properties.add("perfkit.cache.channel", () -> "perfkit:test:" + RUN + ":invalidations");
	}

	@BeforeAll
	void scriptedLoad() throws Exception {
		await("the cache's Redis connection").atMost(BOUND)
			.until(() -> json("/actuator/perfkit/cache").at("/breaker").asString().equals("CLOSED")
					&& json("/actuator/health/perfkit").at("/components/perfkitCache/details/state").asString()
						.equals("ok"));
		// Cache: misses for new agents, then hits for the same agents and the price list.
		for (int i = 0; i < 10; i++) {
			assertThat(get("/api/agents/" + RUN + "-" + i + "/statistics").statusCode()).isEqualTo(200);
		}
		for (int i = 0; i < 5; i++) {
			assertThat(get("/api/agents/" + RUN + "-" + i + "/statistics").statusCode()).isEqualTo(200);
			assertThat(get("/api/pricing").statusCode()).isEqualTo(200);
		}
		// Rate limiting: the webhooks tier allows 20 an hour per source here.
		int rejected = 0;
		for (int i = 0; i < 25; i++) {
			HttpResponse<String> response = this.http.send(
					HttpRequest.newBuilder(uri("/api/webhooks/" + RUN)).POST(HttpRequest.BodyPublishers.noBody()).build(),
					HttpResponse.BodyHandlers.ofString());
			rejected += (response.statusCode() == 429) ? 1 : 0;
		}
		assertThat(rejected).isEqualTo(5);
		// Database: a slow report query and the N+1 endpoint.
		assertThat(get("/api/reports/balances").statusCode()).isEqualTo(200);
		assertThat(get("/api/executions/n-plus-one").statusCode()).isEqualTo(200);
	}

	@Test
	void everySectionOfTheReportHasFiguresThatAgreeWithPrometheus() throws Exception {
		JsonNode report = json("/actuator/perfkit");
		assertThat(report.at("/cache/caches")).anySatisfy((cache) -> {
			assertThat(cache.get("gets").asLong()).isPositive();
			assertThat(cache.at("/details/ttl").asString()).isNotEmpty();
		});
		assertThat(report.at("/cache/caches"))
			.anySatisfy((cache) -> assertThat(cache.at("/tiers/0/hits").asLong() + cache.at("/tiers/1/hits").asLong())
				.isPositive());
		assertThat(report.at("/rateLimit/limits")).anySatisfy((limit) -> {
			assertThat(limit.get("tier").asString()).isEqualTo("webhooks");
			assertThat(limit.get("rejected").asLong()).isGreaterThanOrEqualTo(5);
		});
		assertThat(report.at("/queries/datasources")).anySatisfy((datasource) -> {
			assertThat(datasource.get("slow").asLong()).isPositive();
			assertThat(datasource.get("nPlusOne").asLong()).isPositive();
		});
		assertThat(report.at("/queries/topByTotalTime"))
			.anySatisfy((query) -> assertThat(query.at("/details/sql").asString()).isNotEmpty());
		assertThat(report.at("/queries/details/nPlusOneSuspects"))
			.anySatisfy((suspect) -> assertThat(suspect.get("endpoint").asString()).contains("n-plus-one"));
		assertThat(report.at("/pool/pools")).anySatisfy((pool) -> {
			assertThat(pool.get("max").asLong()).isPositive();
			assertThat(pool.at("/details/leaks").isArray()).isTrue();
		});
		ReportAgreement.assertAgrees(get("/actuator/perfkit").body(), get("/actuator/prometheus").body());
	}

	@Test
	void recommendationsCarryTheirEvidence() throws Exception {
		JsonNode recommendations = json("/actuator/perfkit/recommendations");
		assertThat(recommendations).isNotEmpty();
		assertThat(recommendations).anySatisfy((recommendation) -> {
			assertThat(recommendation.get("message").asString()).contains("N+1");
			assertThat(recommendation.at("/evidence/nPlusOne").asLong()).isPositive();
		});
		assertThat(recommendations).allSatisfy((recommendation) -> assertThat(recommendation.get("evidence")).isNotEmpty());
	}

	@Test
	void everyRegisteredPerfkitMeterIsInTheMeterTableWithItsTypeAndTags() throws Exception {
		Map<String, MeterTable.Row> documented = MeterTable.read(Path.of("..", "docs", "observability.md"));
		Map<String, String> types = new TreeMap<>();
		Map<String, Set<String>> tags = new TreeMap<>();
		for (Meter meter : this.registry.getMeters()) {
			String name = meter.getId().getName();
			// Micrometer derives .percentile gauges from a timer that publishes percentiles.
			if (!name.startsWith("perfkit.") || name.endsWith(".percentile")) {
				continue;
			}
			types.put(name, meter.getId().getType().name().toLowerCase(java.util.Locale.ROOT));
			tags.computeIfAbsent(name, (n) -> new TreeSet<>())
				.addAll(meter.getId().getTags().stream().map(Tag::getKey).toList());
		}
		assertThat(documented.keySet()).as("registered perfkit meters are documented").containsAll(types.keySet());
		types.forEach((name, type) -> {
			assertThat(documented.get(name).type()).as("type of " + name).isEqualTo(type);
			assertThat(documented.get(name).tags()).as("tags of " + name).isEqualTo(tags.get(name));
		});
		Set<String> expected = new TreeSet<>();
		documented.forEach((name, row) -> {
			if (!row.situational()) {
				expected.add(name);
			}
		});
		assertThat(types.keySet()).as("documented meters registered after the load").containsAll(expected);
	}

	private JsonNode json(String path) throws Exception {
		return JsonMapper.shared().readTree(get(path).body());
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

}
