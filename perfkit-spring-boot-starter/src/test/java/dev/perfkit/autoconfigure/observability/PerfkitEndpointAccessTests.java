package dev.perfkit.autoconfigure.observability;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reset and the dashboard, and Boot's endpoint access settings governing them.
 */
class PerfkitEndpointAccessTests {

	@Test
	void withUnrestrictedAccessDeleteResetsTheStatisticsWhileTheMetersKeepCounting() {
		try (ConfigurableApplicationContext context = ObservabilityTestApplication
			.start("management.endpoint.perfkit.access=unrestricted")) {
			Http http = new Http(context);
			assertThat(http.delete("/actuator/perfkit").statusCode()).isEqualTo(204);
			JsonNode cache = PerfkitEndpointTests.json(http.get("/actuator/perfkit/cache"));
			assertThat(cache.at("/caches/0/gets").asLong()).isZero();
			assertThat(context.getBean(io.micrometer.core.instrument.MeterRegistry.class)
				.get("perfkit.cache.gets").tag("tier", "local").tag("result", "miss").counter().count())
				.isEqualTo(880);
		}
	}

	@Test
	void byDefaultTheResetIsRefusedAndTheReportServed() {
		// Boot's convention: an operation that changes state is opt-in.
		try (ConfigurableApplicationContext context = ObservabilityTestApplication.start()) {
			Http http = new Http(context);
			HttpResponse<String> reset = http.delete("/actuator/perfkit");
			assertThat(reset.statusCode()).isBetween(400, 499);
			JsonNode cache = PerfkitEndpointTests.json(http.get("/actuator/perfkit/cache"));
			assertThat(cache.at("/caches/0/gets").asLong()).isEqualTo(1000);
		}
	}

	@Test
	void noAccessRemovesTheEndpointAndTheDashboard() {
		try (ConfigurableApplicationContext context = ObservabilityTestApplication
			.start("management.endpoint.perfkit.access=none", "perfkit.dashboard.enabled=true")) {
			Http http = new Http(context);
			assertThat(http.get("/actuator/perfkit").statusCode()).isEqualTo(404);
			assertThat(http.get("/actuator/perfkit/dashboard").statusCode()).isEqualTo(404);
		}
	}

	@Test
	void theEndpointAndTheDashboardAreProtectedLikeEveryActuatorEndpoint() {
		try (ConfigurableApplicationContext context = ObservabilityTestApplication
			.start("perfkit.dashboard.enabled=true")) {
			Http anonymous = Http.anonymous(context);
			assertThat(anonymous.get("/actuator/perfkit").statusCode()).isEqualTo(401);
			assertThat(anonymous.get("/actuator/perfkit/dashboard").statusCode()).isEqualTo(401);
			assertThat(anonymous.get("/actuator/perfkit/report").statusCode()).isEqualTo(401);
			assertThat(anonymous.delete("/actuator/perfkit").statusCode()).isEqualTo(401);
			assertThat(anonymous.get("/actuator/health/perfkit").statusCode()).isEqualTo(200);
			assertThat(new Http(context).get("/actuator/perfkit/dashboard").statusCode()).isEqualTo(200);
		}
	}

	@Test
	void theDashboardIsServedAsOneSelfContainedPageWhenEnabled() {
		try (ConfigurableApplicationContext context = ObservabilityTestApplication
			.start("perfkit.dashboard.enabled=true", "perfkit.dashboard.refresh=2s")) {
			HttpResponse<String> page = new Http(context).get("/actuator/perfkit/dashboard");
			assertThat(page.statusCode()).isEqualTo(200);
			assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(
					(type) -> assertThat(type).startsWith("text/html"));
			assertThat(page.body()).contains("<title>perfkit dashboard</title>")
				.contains("data-refresh-millis=\"2000\"")
				.doesNotContain("<script src")
				.doesNotContain("<link ")
				.doesNotContain("//cdn");
		}
	}

}
