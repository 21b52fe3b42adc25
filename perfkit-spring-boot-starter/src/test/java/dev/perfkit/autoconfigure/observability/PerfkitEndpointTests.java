package dev.perfkit.autoconfigure.observability;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code perfkit} endpoint over HTTP on a real server, with meters registered as the
 * meter contract says.
 */
class PerfkitEndpointTests {

	private static ConfigurableApplicationContext context;

	private static Http http;

	@BeforeAll
	static void start() {
		context = ObservabilityTestApplication.start("management.endpoint.health.probes.enabled=true");
		http = new Http(context);
	}

	@AfterAll
	static void stop() {
		context.close();
	}

	@AfterEach
	void closeBreaker() {
		ObservabilityTestApplication.cacheBreaker.set(0);
	}

	@Test
	void theReportCarriesStatusScoreEverySectionAndRecommendationsWithEvidence() {
		HttpResponse<String> response = http.get("/actuator/perfkit");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode report = json(response);
		assertThat(report.get("status").asString()).isIn("EXCELLENT", "GOOD", "DEGRADED", "CRITICAL");
		assertThat(report.get("score").asInt()).isBetween(0, 100);
		JsonNode pricing = report.at("/cache/caches/0");
		assertThat(pricing.get("name").asString()).isEqualTo("pricing");
		assertThat(pricing.get("gets").asLong()).isEqualTo(1000);
		assertThat(pricing.get("hitRate").asDouble()).isEqualTo(0.2);
		assertThat(pricing.get("size").asLong()).isEqualTo(42);
		assertThat(pricing.at("/tiers/0/tier").asString()).isEqualTo("local");
		assertThat(pricing.at("/tiers/0/hitRate").asDouble()).isEqualTo(0.12);
		assertThat(report.at("/rateLimit/limits/0/tier").asString()).isEqualTo("API");
		assertThat(report.at("/rateLimit/limits/1/rejected").asLong()).isEqualTo(40);
		assertThat(report.at("/queries/topByTotalTime/0/fingerprint").asString()).isEqualTo("9f2c");
		assertThat(report.at("/queries/datasources/0/slow").asLong()).isEqualTo(1);
		assertThat(report.at("/pool/pools").isArray()).isTrue();
		assertThat(report.at("/degraded/active").asBoolean()).isFalse();
		assertThat(report.get("recommendations")).anySatisfy((recommendation) -> {
			assertThat(recommendation.get("message").asString())
				.startsWith("Cache `pricing` hit rate 20% over 1,000 gets");
			assertThat(recommendation.at("/evidence/gets").asLong()).isEqualTo(1000);
		});
	}

	@Test
	void everySectionHasASubPath() {
		assertThat(json(http.get("/actuator/perfkit/cache")).at("/caches/0/name").asString()).isEqualTo("pricing");
		assertThat(json(http.get("/actuator/perfkit/rateLimit")).at("/limits/1/tier").asString()).isEqualTo("AUTH");
		assertThat(json(http.get("/actuator/perfkit/queries")).at("/topByCount/0/fingerprint").asString())
			.isEqualTo("a11b");
		assertThat(json(http.get("/actuator/perfkit/pool")).has("pools")).isTrue();
		assertThat(json(http.get("/actuator/perfkit/recommendations")).isArray()).isTrue();
		assertThat(json(http.get("/actuator/perfkit/degraded")).get("active").asBoolean()).isFalse();
		assertThat(json(http.get("/actuator/perfkit/penalties")).isArray()).isTrue();
		assertThat(http.get("/actuator/perfkit/nonsense").statusCode()).isEqualTo(404);
	}

	@Test
	void theTextReportIsPlainText() {
		HttpResponse<String> response = http.get("/actuator/perfkit/report");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("text/plain"));
		assertThat(response.body()).contains("perfkit performance report")
			.contains("pricing: hit rate 20% over 1,000 gets")
			.contains("AUTH/free: 60 allowed, 40 rejected (40%)");
	}

	@Test
	void theDashboardIsOffByDefault() {
		assertThat(http.get("/actuator/perfkit/dashboard").statusCode()).isEqualTo(404);
	}

	@Test
	void anOpenBreakerShowsInTheReportAndThePerfkitHealthGroupWithoutFailingLiveness() {
		ObservabilityTestApplication.cacheBreaker.set(2);
		JsonNode degraded = json(http.get("/actuator/perfkit/degraded"));
		assertThat(degraded.get("active").asBoolean()).isTrue();
		assertThat(degraded.at("/reasons/0").asString()).contains("cache Redis circuit breaker is open");
		HttpResponse<String> group = http.get("/actuator/health/perfkit");
		assertThat(group.statusCode()).isEqualTo(200);
		JsonNode health = json(group);
		assertThat(health.get("status").asString()).isEqualTo("DEGRADED");
		assertThat(health.at("/components/perfkitCache/status").asString()).isEqualTo("DEGRADED");
		assertThat(health.at("/components/perfkitCache/details/breaker").asString()).isEqualTo("open");
		assertThat(health.at("/components/perfkitRateLimit/status").asString()).isEqualTo("UP");
		assertThat(health.at("/components/perfkitPool").isMissingNode()).isFalse();
		HttpResponse<String> liveness = http.get("/actuator/health/liveness");
		assertThat(liveness.statusCode()).isEqualTo(200);
		assertThat(json(liveness).get("status").asString()).isEqualTo("UP");
		HttpResponse<String> root = http.get("/actuator/health");
		assertThat(root.statusCode()).isEqualTo(200);
		ObservabilityTestApplication.cacheBreaker.set(0);
		assertThat(json(http.get("/actuator/health/perfkit")).get("status").asString()).isEqualTo("UP");
		assertThat(json(http.get("/actuator/perfkit/degraded")).get("active").asBoolean()).isFalse();
	}

	static JsonNode json(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return JsonMapper.shared().readTree(response.body());
	}

}
