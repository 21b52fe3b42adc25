package dev.perfkit.sample.observability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;

import dev.perfkit.test.PrometheusScrape;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample exposes perfkit's report, its dashboard, the perfkit health group and
 * Prometheus, with no Redis answering (port 1 is never a Redis).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.data.redis.port=1", "spring.data.redis.connect-timeout=100ms" })
class ObservabilitySampleTests {

	@LocalServerPort
	private int port;

	@Test
	void exposesPrometheusWithTheReportsPoolFigures() throws Exception {
		HttpResponse<String> prometheus = get("/actuator/prometheus");
		assertThat(prometheus.statusCode()).isEqualTo(200);
		assertThat(prometheus.body()).contains("hikaricp_connections_max{");
		HttpResponse<String> pool = get("/actuator/perfkit/pool");
		assertThat(pool.statusCode()).isEqualTo(200);
		assertThat(pool.body()).contains("\"max\":10");
		// perfkit names an unnamed Hikari pool after its bean, so hikaricp.* and perfkit.pool.* tags agree.
		assertThat(prometheus.body()).contains("hikaricp_connections_max{pool=\"dataSource\"}");
	}

	/**
	 * Every figure of every entry the report holds agrees with the Prometheus scrape.
	 * Without the engines' traffic only the pool section has entries; with it (cache gets,
	 * rate-limited requests, queries) the same check covers every section.
	 */
	@Test
	void everySectionOfTheReportAgreesWithPrometheus() throws Exception {
		JsonNode report = JsonMapper.shared().readTree(get("/actuator/perfkit").body());
		PrometheusScrape scrape = PrometheusScrape.parse(get("/actuator/prometheus").body());
		for (JsonNode cache : report.at("/cache/caches")) {
			for (JsonNode tier : cache.get("tiers")) {
				String[] labels = { "cache", cache.get("name").asString(), "tier", tier.get("tier").asString() };
				assertThat(tier.get("hits").asDouble()).isEqualTo(scrape.sum("perfkit_cache_gets_total",
						with(labels, "result", "hit")));
				assertThat(tier.get("misses").asDouble()).isEqualTo(scrape.sum("perfkit_cache_gets_total",
						with(labels, "result", "miss")));
			}
		}
		for (JsonNode limit : report.at("/rateLimit/limits")) {
			String[] labels = { "tier", limit.get("tier").asString(), "plan", limit.get("plan").asString() };
			for (String outcome : new String[] { "allowed", "rejected" }) {
				assertThat(limit.get(outcome).asDouble()).isEqualTo(scrape.sum("perfkit_ratelimit_requests_total",
						with(labels, "outcome", outcome)));
			}
		}
		for (JsonNode query : report.at("/queries/topByCount")) {
			assertThat(query.get("count").asDouble()).isEqualTo(scrape.value("perfkit_query_duration_seconds_count",
					"datasource", query.get("datasource").asString(), "fingerprint", query.get("fingerprint").asString()));
		}
		for (JsonNode datasource : report.at("/queries/datasources")) {
			String name = datasource.get("name").asString();
			assertThat(datasource.get("slow").asDouble())
				.isEqualTo(scrape.sum("perfkit_query_slow_total", "datasource", name));
			assertThat(datasource.get("nPlusOne").asDouble())
				.isEqualTo(scrape.sum("perfkit_query_n_plus_one_total", "datasource", name));
		}
		assertThat(report.at("/pool/pools")).isNotEmpty();
		for (JsonNode pool : report.at("/pool/pools")) {
			String name = pool.get("name").asString();
			assertThat(pool.get("max").asDouble()).isEqualTo(scrape.value("hikaricp_connections_max", "pool", name));
			assertThat(pool.get("timeouts").asDouble())
				.isEqualTo(scrape.value("hikaricp_connections_timeout_total", "pool", name));
		}
	}

	private static String[] with(String[] labels, String name, String value) {
		String[] all = Arrays.copyOf(labels, labels.length + 2);
		all[labels.length] = name;
		all[labels.length + 1] = value;
		return all;
	}

	@Test
	void servesTheReportTheTextReportAndTheDashboard() throws Exception {
		HttpResponse<String> report = get("/actuator/perfkit");
		assertThat(report.statusCode()).isEqualTo(200);
		assertThat(report.body()).contains("\"status\":").contains("\"score\":");
		assertThat(get("/actuator/perfkit/report").body()).contains("perfkit performance report");
		HttpResponse<String> dashboard = get("/actuator/perfkit/dashboard");
		assertThat(dashboard.statusCode()).isEqualTo(200);
		assertThat(dashboard.body()).contains("<title>perfkit dashboard</title>");
	}

	@Test
	void reportsThePerfkitHealthGroup() throws Exception {
		HttpResponse<String> health = get("/actuator/health/perfkit");
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(health.body()).contains("\"perfkitPool\"").contains("\"perfkitCache\"").contains("\"perfkitRateLimit\"");
	}

	private HttpResponse<String> get(String path) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
	}

}
