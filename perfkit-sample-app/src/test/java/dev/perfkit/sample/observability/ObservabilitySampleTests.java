package dev.perfkit.sample.observability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

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
	 * Without the engines' traffic only the pool section has entries;
	 * {@code ObservabilityLoadIntegrationTests} runs the same check after a load that
	 * fills every section.
	 */
	@Test
	void everySectionOfTheReportAgreesWithPrometheus() throws Exception {
		ReportAgreement.assertAgrees(get("/actuator/perfkit").body(), get("/actuator/prometheus").body());
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
