package dev.perfkit.autoconfigure.observability;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in headless Chromium, served by a running application with figures on
 * its meters: the charts are drawn with data, the page refreshes itself, and a
 * screenshot is kept under {@code target/}.
 */
class PerfkitDashboardBrowserTests {

	private static final Path WORK = Path.of("target", "dashboard-browser");

	private static final String TAGGED_SQL = "select count(*) from information_schema.tables where table_name = ? "
			+ "and table_schema = table_schema and table_catalog = table_catalog and table_type = table_type";

	@Test
	void theDashboardDrawsEveryChartWithDataAndRefreshesItself() throws Exception {
		Chromium chromium = Chromium.find(WORK);
		// One fingerprint tagged of its own: the second real query below goes to the shared "other" bucket.
		// No real statement counts as slow, so the score is the contract meters' alone.
		try (ConfigurableApplicationContext context = ObservabilityTestApplication.start("perfkit.dashboard.enabled=true",
				"perfkit.dashboard.refresh=1s", "observability-test.open-actuator=true",
				"perfkit.query.max-tagged-fingerprints=1", "perfkit.query.slow-threshold=1m")) {
			ObservabilityTestApplication.cacheBreaker.set(2);
			String url = new Http(context).url("/actuator/perfkit/dashboard");
			// One connection held open, so the real Hikari pool shows some utilization.
			try (Connection held = context.getBean(DataSource.class).getConnection()) {
				// Real statements through the wrapped data source, so the report has their SQL.
				try (Statement statement = held.createStatement()) {
					statement.executeQuery(TAGGED_SQL.replace("?", "'PERFKIT_DASHBOARD_TEST'")).close();
					statement.executeQuery("select 2").close();
				}
				String dom = chromium.dumpDom(url, 5000);
				// pricing overall, local, remote
				assertThat(attribute(dom, "chart-cache", "data-points")).isEqualTo(3);
				assertThat(attribute(dom, "chart-cache", "data-bars")).isEqualTo(3);
				// API/pro allowed; AUTH/free allowed and rejected
				assertThat(attribute(dom, "chart-ratelimit", "data-points")).isEqualTo(2);
				assertThat(attribute(dom, "chart-ratelimit", "data-bars")).isEqualTo(3);
				// the two contract timers, the tagged real query and the "other" bucket
				assertThat(attribute(dom, "chart-queries", "data-bars")).isEqualTo(4);
				// Full labels, as text the page wraps, never cut.
				assertThat(dom).contains(">AUTH / free<").contains(">API / pro<").contains(">pricing<");
				// Queries by their normalized SQL: shortened, with the full text shown on hover and
				// focus, read by screen readers, and in the title.
				assertThat(dom).contains("<span class=\"sql-short\" aria-hidden=\"true\">" + TAGGED_SQL.substring(0, 60))
					.contains("<span class=\"sql-full\">" + TAGGED_SQL + "</span>")
					.contains("title=\"" + TAGGED_SQL + "\"")
					.contains("other statements")
					.contains("perfkit.query.max-tagged-fingerprints");
				// Nothing about the shared bucket's SQL is invented.
				assertThat(dom).doesNotContain("select 2");
				assertThat(attribute(dom, "chart-pool", "data-points")).isEqualTo(1);
				assertThat(attribute(dom, "chart-pool", "data-bars")).isEqualTo(1);
				assertThat(dom).contains("data-status=\"DEGRADED\"")
					.contains("cache Redis circuit breaker is open")
					.contains("[cache] Cache `pricing` hit rate 20% over 1,000 gets")
					.contains("<div id=\"error\" role=\"alert\"></div>");
				assertThat(attribute(dom, "score", "data-score")).isBetween(0, 100);
				int refreshes = Integer.parseInt(find(dom, "data-refreshes=\"(\\d+)\""));
				assertThat(refreshes).as("reports fetched by the page itself").isGreaterThanOrEqualTo(2);
				assertThat(attribute(dom, "history", "data-points")).as("scores in the history line")
					.isEqualTo(refreshes);
				// Time series: one point per interval between two refreshes, for each chart.
				for (String series : new String[] { "series-ratelimit", "series-cache", "series-slow", "series-pool" }) {
					assertThat(attribute(dom, series, "data-points")).as(series).isEqualTo(refreshes - 1);
				}
				assertThat(attribute(dom, "series-ratelimit", "data-series")).as("allowed and rejected of AUTH and API")
					.isEqualTo(4);
				assertThat(attribute(dom, "series-pool", "data-series")).isEqualTo(1);
				// A longer look at the same page: its series have gained points with the refreshes.
				String later = chromium.dumpDom(url, 9000);
				assertThat(attribute(later, "series-ratelimit", "data-points")).as("points after more refreshes")
					.isGreaterThan(attribute(dom, "series-ratelimit", "data-points"));
				chromium.screenshot(url, WORK.resolve("dashboard.png"), 3000);
			}
		}
		finally {
			ObservabilityTestApplication.cacheBreaker.set(0);
		}
	}

	private static int attribute(String dom, String id, String attribute) {
		return Integer.parseInt(find(dom, "id=\"" + id + "\"[^>]*" + attribute + "=\"(\\d+)\""));
	}

	private static String find(String dom, String regex) {
		Matcher matcher = Pattern.compile(regex).matcher(dom);
		assertThat(matcher.find()).as(regex + " in the page").isTrue();
		return matcher.group(1);
	}

}
