package dev.perfkit.sample.onoff;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.TestRedis;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Calls every endpoint of the sample's API and checks each answers what a client expects,
 * with perfkit on or off: a 2xx, or the 4xx the request deserves. The subclasses start
 * the sample one way or the other, on the test Redis (with key prefixes of their own) or
 * with no Redis at all.
 */
abstract class SampleEndpointsChecks {

	static final String RUN = UUID.randomUUID().toString().substring(0, 8);

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	/** The test Redis, with this run's own keys and channel. */
	static void testRedis(DynamicPropertyRegistry properties) {
		RedisEndpoint redis = TestRedis.get();
		properties.add("spring.data.redis.host", redis::host);
		properties.add("spring.data.redis.port", redis::port);
		properties.add("perfkit.cache.key-prefix", () -> "perfkit:test:" + RUN + ":cache:");
		properties.add("perfkit.cache.channel", () -> "perfkit:test:" + RUN + ":invalidations");
		properties.add("spring.cache.redis.key-prefix", () -> "perfkit:test:" + RUN + ":boot-cache:");
	}

	/** Whether the subclass runs the sample with perfkit on (and rate limiting in force). */
	abstract boolean perfkitEnabled();

	@Test
	void everyEndpointAnswersAsAClientExpects() throws Exception {
		// Rate-limit counters live in the shared test Redis: fresh addresses for every run.
		String client = randomAddress();
		assertThat(call("GET", "/", null, client).statusCode()).isEqualTo(200);
		for (int i = 0; i < 2; i++) {
			assertThat(call("GET", "/api/pricing", null, client)).satisfies(ok("\"plan\":\"basic\""));
			assertThat(call("GET", "/api/agents/agent-" + RUN + "/statistics", null, client))
				.satisfies(ok("agent-" + RUN));
		}
		String account = "/api/accounts/acme-" + RUN + "/credits";
		assertThat(call("GET", account, null, client)).satisfies(ok("\"credits\":0"));
		if (perfkitEnabled()) {
			// perfkit's evict waits for Redis: the same request's read sees the change.
			assertThat(call("POST", account + "?amount=25", null, client)).satisfies(ok("\"credits\":25"));
			assertThat(call("GET", account, null, client)).satisfies(ok("\"credits\":25"));
		}
		else {
			// Boot's RedisCacheManager: Spring Data Redis's evict does not wait for Redis, so a
			// read right after it may still get the old entry (docs/caching.md, read-your-writes).
			assertThat(call("POST", account + "?amount=25", null, client)).satisfies(ok("\"credits\":"));
			await("the evict reached Redis").atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(call("GET", account, null, client)).satisfies(ok("\"credits\":25")));
		}
		assertThat(call("POST", account, null, client).statusCode()).as("missing amount").isEqualTo(400);

		String email = "\"email\":\"demo-" + RUN + "@example.com\"";
		assertThat(call("POST", "/api/auth/login", "{\"email\":\"demo@perfkit.dev\",\"password\":\"demo\"}",
				randomAddress()))
			.satisfies(ok("demo-token"));
		for (int i = 0; i < 5; i++) {
			assertThat(call("POST", "/api/auth/login", "{" + email + ",\"password\":\"x\"}", client).statusCode())
				.isEqualTo(401);
		}
		int sixth = call("POST", "/api/auth/login", "{" + email + ",\"password\":\"x\"}", client).statusCode();
		assertThat(sixth).isEqualTo(perfkitEnabled() ? 429 : 401);
		assertThat(call("POST", "/api/auth/magic-link", "{" + email + "}", client)).satisfies(ok("on its way"));

		HttpResponse<String> created = call("POST", "/api/agents", "{\"name\":\"scout\"}", client);
		assertThat(created.statusCode()).isEqualTo(201);
		String agent = "/api/agents/" + created.body().replaceAll(".*\"id\":(\\d+).*", "$1");
		assertThat(call("GET", agent, null, client)).satisfies(ok("scout"));
		assertThat(call("PUT", agent, "{\"name\":\"ranger\"}", client)).satisfies(ok("ranger"));
		assertThat(call("DELETE", agent, null, client).statusCode()).isEqualTo(204);
		assertThat(call("GET", agent, null, client).statusCode()).isEqualTo(404);
		assertThat(call("GET", "/api/agents/not-a-number", null, client).statusCode()).isEqualTo(400);

		assertThat(call("GET", "/api/agents", null, client)).satisfies(ok("agent-1"));
		assertThat(call("GET", "/api/executions/n-plus-one", null, client)).satisfies(ok("durationMillis"));
		assertThat(call("GET", "/api/executions", null, client)).satisfies(ok("durationMillis"));
		assertThat(call("GET", "/api/reports/balances", null, client)).satisfies(ok("weightedBalance"));
		assertThat(call("POST", "/api/scans", "", client, "X-API-Key", "free-" + RUN)).satisfies(ok("queued"));
		assertThat(call("POST", "/api/webhooks/github-" + RUN, "", client)).satisfies(ok("accepted"));
		assertThat(call("GET", "/api/nothing-here", null, client).statusCode()).isEqualTo(404);
	}

	private static String randomAddress() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(1, 255);
	}

	private static Consumer<HttpResponse<String>> ok(String content) {
		return (response) -> {
			assertThat(response.statusCode()).as(response.request().method() + " " + response.uri() + ": "
					+ response.body()).isBetween(200, 299);
			assertThat(response.body()).contains(content);
		};
	}

	HttpResponse<String> call(String method, String path, String json, String client, String... headers)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.header("X-Forwarded-For", client)
			.method(method, (json != null) ? HttpRequest.BodyPublishers.ofString(json)
					: HttpRequest.BodyPublishers.noBody());
		if (json != null) {
			request.header("Content-Type", "application/json");
		}
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
