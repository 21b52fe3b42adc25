package dev.perfkit.autoconfigure.observability;

import java.nio.file.Path;
import java.sql.Connection;
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

	@Test
	void theDashboardDrawsEveryChartWithDataAndRefreshesItself() throws Exception {
		Chromium chromium = Chromium.find(WORK);
		try (ConfigurableApplicationContext context = ObservabilityTestApplication.start("perfkit.dashboard.enabled=true",
				"perfkit.dashboard.refresh=1s", "observability-test.open-actuator=true")) {
			ObservabilityTestApplication.cacheBreaker.set(2);
			String url = new Http(context).url("/actuator/perfkit/dashboard");
			// One connection held open, so the real Hikari pool shows some utilization.
			try (Connection held = context.getBean(DataSource.class).getConnection()) {
				String dom = chromium.dumpDom(url, 5000);
				// pricing overall, local, remote
				assertThat(attribute(dom, "chart-cache", "data-points")).isEqualTo(3);
				assertThat(attribute(dom, "chart-cache", "data-bars")).isEqualTo(3);
				// API/pro allowed; AUTH/free allowed and rejected
				assertThat(attribute(dom, "chart-ratelimit", "data-points")).isEqualTo(2);
				assertThat(attribute(dom, "chart-ratelimit", "data-bars")).isEqualTo(3);
				assertThat(attribute(dom, "chart-queries", "data-bars")).isEqualTo(2);
				assertThat(attribute(dom, "chart-pool", "data-points")).isEqualTo(1);
				assertThat(attribute(dom, "chart-pool", "data-bars")).isEqualTo(1);
				assertThat(dom).contains("data-status=\"DEGRADED\"")
					.contains("cache Redis circuit breaker is open")
					.contains("[cache] Cache `pricing` hit rate 20% over 1,000 gets")
					.contains("<div id=\"error\"></div>");
				assertThat(attribute(dom, "score", "data-score")).isBetween(0, 100);
				int refreshes = Integer.parseInt(find(dom, "data-refreshes=\"(\\d+)\""));
				assertThat(refreshes).as("reports fetched by the page itself").isGreaterThanOrEqualTo(2);
				assertThat(attribute(dom, "history", "data-points")).as("scores in the history line")
					.isEqualTo(refreshes);
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
