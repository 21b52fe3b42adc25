package dev.perfkit.autoconfigure.observability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import dev.perfkit.test.PrometheusScrape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The report and a scrape of {@code /actuator/prometheus} of the same application agree,
 * and the series the Grafana dashboard and the alert rules query are the ones Prometheus
 * really gets.
 */
class PerfkitPrometheusAgreementTests {

	private static ConfigurableApplicationContext context;

	private static Http http;

	@BeforeAll
	static void start() throws SQLException {
		context = ObservabilityTestApplication.start();
		http = new Http(context);
		// Hikari registers its meters when the pool starts.
		try (Connection connection = context.getBean(DataSource.class).getConnection()) {
			assertThat(connection.isValid(1)).isTrue();
		}
	}

	@AfterAll
	static void stop() {
		context.close();
	}

	@Test
	void everySectionAgreesWithThePrometheusScrape() {
		PrometheusScrape scrape = scrape();
		JsonNode report = PerfkitEndpointTests.json(http.get("/actuator/perfkit"));
		JsonNode pricing = report.at("/cache/caches/0");
		assertThat(pricing.at("/tiers/0/hits").asDouble()).isEqualTo(
				scrape.value("perfkit_cache_gets_total", "cache", "pricing", "tier", "local", "result", "hit"));
		assertThat(pricing.at("/tiers/1/misses").asDouble()).isEqualTo(
				scrape.value("perfkit_cache_gets_total", "cache", "pricing", "tier", "remote", "result", "miss"));
		assertThat(pricing.get("size").asDouble())
			.isEqualTo(scrape.value("perfkit_cache_size", "cache", "pricing", "tier", "local"));
		assertThat(pricing.get("evictions").asDouble())
			.isEqualTo(scrape.value("perfkit_cache_evictions_total", "cache", "pricing", "tier", "local"));
		assertThat(report.at("/cache/breaker").asString()).isEqualTo("CLOSED");
		assertThat(scrape.value("perfkit_cache_breaker_state")).isZero();
		JsonNode auth = report.at("/rateLimit/limits/1");
		assertThat(auth.get("tier").asString()).isEqualTo("AUTH");
		assertThat(auth.get("rejected").asDouble()).isEqualTo(scrape.value("perfkit_ratelimit_requests_total", "tier",
				"AUTH", "plan", "free", "outcome", "rejected"));
		assertThat(auth.get("fallbacks").asDouble())
			.isEqualTo(scrape.value("perfkit_ratelimit_fallbacks_total", "tier", "AUTH"));
		JsonNode slowest = report.at("/queries/topByTotalTime/0");
		assertThat(slowest.get("count").asDouble()).isEqualTo(scrape.value("perfkit_query_duration_seconds_count",
				"datasource", "dataSource", "fingerprint", "9f2c"));
		assertThat(slowest.get("totalMillis").asDouble() / 1000).isCloseTo(scrape
			.value("perfkit_query_duration_seconds_sum", "datasource", "dataSource", "fingerprint", "9f2c"), within(1e-6));
		assertThat(report.at("/queries/datasources/0/slow").asDouble())
			.isEqualTo(scrape.value("perfkit_query_slow_total", "datasource", "dataSource"));
		assertThat(report.at("/queries/datasources/0/nPlusOne").asDouble())
			.isEqualTo(scrape.value("perfkit_query_n_plus_one_total", "datasource", "dataSource"));
		JsonNode pool = report.at("/pool/pools/0");
		String name = pool.get("name").asString();
		assertThat(pool.get("max").asDouble()).isEqualTo(scrape.value("hikaricp_connections_max", "pool", name));
		assertThat(pool.get("saturation").asDouble())
			.isEqualTo(scrape.value("perfkit_pool_saturation", "pool", name));
		assertThat(report.get("recommendations")).isNotEmpty();
		assertThat(report.at("/recommendations/0/evidence").isEmpty()).isFalse();
	}

	@Test
	void theGrafanaDashboardAndTheAlertRulesQuerySeriesPrometheusReallyHas() throws IOException {
		Set<String> names = scrape().names();
		for (Path file : new Path[] { Path.of("..", "docs", "grafana", "perfkit-dashboard.json"),
				Path.of("..", "docs", "prometheus", "perfkit-alerts.yml") }) {
			Matcher matcher = Pattern.compile("(perfkit|hikaricp)_[a-z0-9_]+").matcher(Files.readString(file));
			Set<String> used = new TreeSet<>();
			while (matcher.find()) {
				used.add(matcher.group());
			}
			// Buckets exist only when a histogram is switched on, as the dashboard says.
			used.removeIf((series) -> series.endsWith("_bucket"));
			assertThat(names).as("series in " + file).containsAll(used);
		}
	}

	private static PrometheusScrape scrape() {
		PrometheusScrape scrape = PrometheusScrape.parse(http.get("/actuator/prometheus").body());
		assertThat(scrape.names()).as("perfkit series in the scrape").anyMatch((n) -> n.startsWith("perfkit_"));
		return scrape;
	}

}
