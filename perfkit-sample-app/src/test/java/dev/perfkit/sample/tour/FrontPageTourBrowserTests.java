package dev.perfkit.sample.tour;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.UUID;

import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.TestRedis;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The front page's tour in headless Chromium, against the sample on the test Redis: every
 * button is pressed and shows what perfkit did, then the dashboard shows the tour's
 * traffic and its time series grow between refreshes. Screenshots of both are kept under
 * {@code target/tour/}.
 * <p>
 * Rate-limit counters are local here (a browser always comes from 127.0.0.1, and Redis
 * counters would outlive the run), and every statement counts as slow and gets its line
 * (no bound on lines per second, as the tour's earlier buttons run dozens of statements
 * just before), so that the slow report's log line shows on any machine.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "perfkit.rate-limit.backend=local", "perfkit.query.slow-threshold=0ms",
				"perfkit.query.slow-log-lines-per-second=0", "perfkit.dashboard.refresh=1s" })
class FrontPageTourBrowserTests {

	private static final String RUN = UUID.randomUUID().toString();

	private static final Path WORK = Path.of("target", "tour");

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry properties) {
		RedisEndpoint redis = TestRedis.get();
		properties.add("spring.data.redis.host", redis::host);
		properties.add("spring.data.redis.port", redis::port);
		properties.add("perfkit.cache.key-prefix", () -> "perfkit:test:" + RUN + ":cache:");
		properties.add("perfkit.cache.channel", () -> "perfkit:test:" + RUN + ":invalidations");
	}

	@Test
	void everyTourButtonShowsWhatPerfkitDidAndTheDashboardShowsTheTour() throws Exception {
		try (ChromiumPage page = ChromiumPage.open(WORK)) {
			page.navigate("http://127.0.0.1:" + this.port + "/");
			assertThat(page.evaluate("document.title").asString()).isEqualTo("perfkit sample: a guided tour");

			press(page, "run-cache", "result-cache");
			assertThat(page.attribute("result-cache", "data-cache-statuses")).isEqualTo("MISS,HIT");
			assertThat(page.text("result-cache")).contains("X-Cache-Status").contains("conversations");

			press(page, "run-evict", "result-evict");
			assertThat(page.attribute("result-evict", "data-cache-statuses")).isEqualTo("MISS,HIT,MISS,HIT");
			assertThat(page.attribute("result-evict", "data-balances")).isEqualTo("0,0,100,100");

			press(page, "run-ratelimit", "result-ratelimit");
			assertThat(page.attribute("result-ratelimit", "data-statuses")).isEqualTo("401,401,401,401,401,429");
			assertThat(page.attribute("result-ratelimit", "data-rejected-headers")).contains("Retry-After",
					"RateLimit-Policy", "X-RateLimit-Limit", "Content-Type");
			assertThat(page.text("result-ratelimit")).contains("application/problem+json").contains("\"status\": 429");

			press(page, "run-nplusone", "result-nplusone");
			assertThat(page.attribute("result-nplusone", "data-rows")).isEqualTo("20");
			assertThat(page.attribute("result-nplusone", "data-log-lines")).isEqualTo("1");
			assertThat(page.text("result-nplusone"))
				.contains("N+1 suspected in GET /api/executions/n-plus-one")
				.contains("AgentQueries");

			press(page, "run-fixed", "result-fixed");
			assertThat(page.attribute("result-fixed", "data-rows")).isEqualTo("20");
			assertThat(page.attribute("result-fixed", "data-log-lines")).isEqualTo("0");
			assertThat(page.text("result-fixed")).contains("perfkit logged no warning");

			press(page, "run-slow", "result-slow");
			assertThat(Integer.parseInt(page.attribute("result-slow", "data-log-lines"))).isPositive();
			assertThat(page.text("result-slow")).contains("Slow query took").contains("credit_transaction");

			press(page, "run-report", "result-report");
			assertThat(page.attribute("result-report", "data-status")).isNotBlank();
			assertThat(page.text("result-report")).contains("Recommendations").contains("N+1");
			page.screenshot(WORK.resolve("tour.png"));

			page.navigate("http://127.0.0.1:" + this.port + "/actuator/perfkit/dashboard");
			page.waitFor("two reports drawn", "parseInt(document.body.dataset.refreshes, 10) >= 2");
			assertThat(page.text("chart-ratelimit")).contains("auth");
			int points = page.evaluate("parseInt(document.getElementById('series-ratelimit').dataset.points, 10)").asInt();
			int refreshes = page.evaluate("parseInt(document.body.dataset.refreshes, 10)").asInt();
			page.waitFor("another refresh", "parseInt(document.body.dataset.refreshes, 10) > " + refreshes);
			assertThat(page.evaluate("parseInt(document.getElementById('series-ratelimit').dataset.points, 10)").asInt())
				.as("points of the rate-limit series after another refresh")
				.isGreaterThan(points);
			// Some traffic while the page watches, so that the screenshot's lines move.
			for (int i = 0; i < 3; i++) {
				refreshes = page.evaluate("parseInt(document.body.dataset.refreshes, 10)").asInt();
				for (int j = 0; j < 10; j++) {
					send("POST", "/api/webhooks/tour-" + RUN);
					send("GET", "/api/agents/tour-" + RUN + "-" + (j % 4) + "/statistics");
				}
				page.waitFor("a refresh after the traffic", "parseInt(document.body.dataset.refreshes, 10) > " + refreshes);
			}
			assertThat(page.attribute("series-ratelimit", "aria-label")).contains("webhooks allowed");
			// A shortened SQL label shows its whole statement when it has the keyboard focus.
			assertThat(page.evaluate("(function () { var label = document.querySelector('#chart-queries .bar-label[tabindex]');"
					+ " if (!label) { return 'no shortened label'; } label.focus();"
					+ " return getComputedStyle(label.querySelector('.sql-short')).display + ' '"
					+ " + getComputedStyle(label.querySelector('.sql-full')).position; })()").asString())
				.isEqualTo("none static");
			page.screenshot(WORK.resolve("dashboard.png"));
		}
	}

	private void send(String method, String path) throws Exception {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
					.method(method, HttpRequest.BodyPublishers.noBody())
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(method + " " + path).isIn(200, 429);
	}

	private static void press(ChromiumPage page, String button, String result) throws Exception {
		String runs = page.attribute(button, "data-runs");
		page.click(button);
		page.waitFor(button + " to finish", "document.getElementById('" + button + "').getAttribute('data-runs') !== "
				+ ((runs != null) ? "'" + runs + "'" : "null"));
		assertThat(page.attribute(result, "data-state")).as(page.text(result)).isEqualTo("done");
	}

}
