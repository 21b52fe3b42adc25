package com.example.consumer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of this application, as a team runs them behind a load balancer, against
 * the real Redis and PostgreSQL named by the PERFKIT_TEST_* environment variables (the
 * local servers by default). Nothing here knows perfkit's internals: only what a user
 * sees over HTTP.
 */
class ConsumerApplicationTests {

	private static final String RUN = UUID.randomUUID().toString();

	private static final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	private final HttpClient http = HttpClient.newHttpClient();

	@BeforeAll
	static void startTwoInstances() {
		for (int i = 0; i < 2; i++) {
			instances.add(new SpringApplicationBuilder(ConsumerApplication.class).run("--server.port=0",
					"--spring.data.redis.host=" + env("PERFKIT_TEST_REDIS_HOST", "127.0.0.1"),
					"--spring.data.redis.port=" + env("PERFKIT_TEST_REDIS_PORT", "6379"),
					"--spring.datasource.url=jdbc:postgresql://" + env("PERFKIT_TEST_POSTGRES_HOST", "127.0.0.1") + ":"
							+ env("PERFKIT_TEST_POSTGRES_PORT", "5432") + "/"
							+ env("PERFKIT_TEST_POSTGRES_DATABASE", "test"),
					"--spring.datasource.username=" + env("PERFKIT_TEST_POSTGRES_USER", "postgres"),
					"--spring.datasource.password=" + env("PERFKIT_TEST_POSTGRES_PASSWORD", ""),
					// X-Cache-Status on responses, as docs/getting-started.md suggests while trying perfkit out.
					"--perfkit.cache.status-header.enabled=true",
					// The test client stands where the README's load balancer (10.0.0.0/8) would.
					"--perfkit.rate-limit.trusted-proxies=127.0.0.1/32",
					// This run's own keys and channel in a Redis that other runs share.
					"--perfkit.cache.key-prefix=perfkit:consumer:" + RUN + ":",
					"--perfkit.cache.channel=perfkit:consumer:" + RUN + ":invalidations"));
		}
	}

	@AfterAll
	static void stop() {
		instances.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void aCachedReadIsComputedOnceForBothInstances() throws Exception {
		String plan = "/pricing/pro-" + RUN;
		HttpResponse<String> first = send(0, "GET", plan, null, null);
		HttpResponse<String> again = send(0, "GET", plan, null, null);
		HttpResponse<String> other = send(1, "GET", plan, null, null);
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.headers().firstValue("X-Cache-Status")).hasValue("MISS");
		assertThat(again.headers().firstValue("X-Cache-Status")).hasValue("HIT");
		// The other instance reads the value its neighbour put in Redis: the JSON codec
		// reads the application's own record back (perfkit.cache.allowed-packages).
		assertThat(other.headers().firstValue("X-Cache-Status")).hasValue("HIT");
		assertThat(other.body()).isEqualTo(first.body()).contains("\"monthly\":19.00");
		assertThat(instances.get(0).getBean(PricingService.class).computations()).isEqualTo(1);
		assertThat(instances.get(1).getBean(PricingService.class).computations()).isZero();
	}

	@Test
	void theSixthLoginAMinuteFromOneClientIsRefusedByEveryInstance() throws Exception {
		// A client address of this run's own: the counters live in the shared Redis.
		String client = "10." + (RUN.hashCode() & 0xff) + "." + ((RUN.hashCode() >> 8) & 0xff) + ".7";
		for (int i = 0; i < 5; i++) {
			HttpResponse<String> attempt = send(i % 2, "POST", "/login",
					"{\"email\":\"someone@example.com\",\"password\":\"wrong\"}", client);
			assertThat(attempt.statusCode()).isEqualTo(401);
			assertThat(attempt.headers().firstValue("X-RateLimit-Limit")).hasValue("5");
			assertThat(attempt.headers().firstValue("X-RateLimit-Remaining")).hasValue(String.valueOf(4 - i));
		}
		for (int instance = 0; instance < 2; instance++) {
			HttpResponse<String> refused = send(instance, "POST", "/login",
					"{\"email\":\"someone@example.com\",\"password\":\"demo\"}", client);
			assertThat(refused.statusCode()).isEqualTo(429);
			assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(refused.headers().firstValue("Retry-After")).isPresent();
			assertThat(refused.body()).contains("\"status\":429");
		}
	}

	@Test
	void theActuatorShowsPerfkitsReportAndHealth() throws Exception {
		send(0, "GET", "/pricing/basic-" + RUN, null, null);
		HttpResponse<String> report = send(0, "GET", "/actuator/perfkit", null, null);
		assertThat(report.statusCode()).isEqualTo(200);
		assertThat(report.body()).contains("\"status\":").contains("\"score\":").contains("\"name\":\"pricing\"")
			.contains("\"tier\":\"auth\"");
		assertThat(send(0, "GET", "/actuator/perfkit/report", null, null).body())
			.contains("perfkit performance report");
		assertThat(send(0, "GET", "/actuator/perfkit/dashboard", null, null).body())
			.contains("<title>perfkit dashboard</title>");
		HttpResponse<String> health = send(0, "GET", "/actuator/health", null, null);
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(health.body()).contains("\"status\":\"UP\"");
	}

	private HttpResponse<String> send(int instance, String method, String path, String json, String client)
			throws Exception {
		int port = ((WebServerApplicationContext) instances.get(instance)).getWebServer().getPort();
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.method(method, (json != null) ? HttpRequest.BodyPublishers.ofString(json)
					: HttpRequest.BodyPublishers.noBody());
		if (json != null) {
			request.header("Content-Type", "application/json");
		}
		if (client != null) {
			// As a trusted load balancer reports the client (perfkit.rate-limit.trusted-proxies).
			request.header("X-Forwarded-For", client);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String env(String name, String fallback) {
		String value = System.getenv(name);
		return (value != null && !value.isBlank()) ? value : fallback;
	}

}
