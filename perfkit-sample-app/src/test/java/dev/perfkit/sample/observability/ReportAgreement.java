package dev.perfkit.sample.observability;

import java.util.Arrays;

import dev.perfkit.test.PrometheusScrape;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks that every figure of every entry of a {@code /actuator/perfkit} report agrees
 * with a {@code /actuator/prometheus} scrape taken right after it.
 */
final class ReportAgreement {

	private ReportAgreement() {
	}

	static void assertAgrees(String reportJson, String prometheusText) {
		JsonNode report = JsonMapper.shared().readTree(reportJson);
		PrometheusScrape scrape = PrometheusScrape.parse(prometheusText);
		for (JsonNode cache : report.at("/cache/caches")) {
			String name = cache.get("name").asString();
			for (JsonNode tier : cache.get("tiers")) {
				String[] labels = { "cache", name, "tier", tier.get("tier").asString() };
				assertThat(tier.get("hits").asDouble()).as("hits of " + name)
					.isEqualTo(scrape.sum("perfkit_cache_gets_total", with(labels, "result", "hit")));
				assertThat(tier.get("misses").asDouble()).as("misses of " + name)
					.isEqualTo(scrape.sum("perfkit_cache_gets_total", with(labels, "result", "miss")));
			}
			assertThat(cache.get("puts").asDouble()).as("puts of " + name)
				.isEqualTo(scrape.sum("perfkit_cache_puts_total", "cache", name));
		}
		for (JsonNode limit : report.at("/rateLimit/limits")) {
			String[] labels = { "tier", limit.get("tier").asString(), "plan", limit.get("plan").asString() };
			for (String outcome : new String[] { "allowed", "rejected" }) {
				assertThat(limit.get(outcome).asDouble()).as(outcome + " of " + Arrays.toString(labels))
					.isEqualTo(scrape.sum("perfkit_ratelimit_requests_total", with(labels, "outcome", outcome)));
			}
		}
		for (JsonNode query : report.at("/queries/topByCount")) {
			assertThat(query.get("count").asDouble()).isEqualTo(scrape.value("perfkit_query_duration_seconds_count",
					"datasource", query.get("datasource").asString(), "fingerprint", query.get("fingerprint").asString()));
		}
		for (JsonNode datasource : report.at("/queries/datasources")) {
			String name = datasource.get("name").asString();
			assertThat(datasource.get("queries").asDouble())
				.isEqualTo(scrape.sum("perfkit_query_duration_seconds_count", "datasource", name));
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

}
