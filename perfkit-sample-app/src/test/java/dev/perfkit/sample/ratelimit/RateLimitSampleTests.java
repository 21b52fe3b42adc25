package dev.perfkit.sample.ratelimit;

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
 * The sample's limits, on the local backend with no Redis answering. (With Redis
 * configured but unreachable, the allow-policy tiers would let everything through.)
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "spring.data.redis.port=1",
		"spring.data.redis.connect-timeout=100ms", "perfkit.rate-limit.backend=local" })
class RateLimitSampleTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void loginAllowsFiveAttemptsPerAccountThenAnswers429WithProblemDetails() throws Exception {
		for (int i = 0; i < 5; i++) {
			HttpResponse<String> attempt = post("/api/auth/login", "{\"email\":\"Victim@Example.com\",\"password\":\"x\"}",
					"203.0.113." + i);
			assertThat(attempt.statusCode()).isEqualTo(401);
		}
		HttpResponse<String> sixth = post("/api/auth/login", "{\"email\":\"victim@example.com\",\"password\":\"x\"}",
				"203.0.113.99");
		assertThat(sixth.statusCode()).isEqualTo(429);
		assertThat(sixth.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(sixth.headers().firstValue("Retry-After")).isPresent();
	}

	@Test
	void aFreeScanReportsItsHourlyLimitAndAProScanItsOwn() throws Exception {
		HttpResponse<String> free = post("/api/scans", "", "198.51.100.1", "X-API-Key", "free-abc");
		assertThat(free.headers().firstValue("X-RateLimit-Limit")).hasValue("10");
		assertThat(free.headers().firstValue("RateLimit-Policy")).hasValue("\"scan\";q=10;w=3600");
		HttpResponse<String> pro = post("/api/scans", "", "198.51.100.1", "X-API-Key", "pro-abc");
		assertThat(pro.headers().firstValue("X-RateLimit-Limit")).hasValue("500");
	}

	@Test
	void agentReadsAreRelaxedAndCreationIsSensitive() throws Exception {
		HttpResponse<String> created = post("/api/agents", "{\"name\":\"a\"}", "198.51.100.2");
		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(created.headers().firstValue("X-RateLimit-Limit")).hasValue("20");
		String id = created.body().replaceAll(".*\"id\":(\\d+).*", "$1");
		HttpResponse<String> read = this.http.send(HttpRequest.newBuilder(uri("/api/agents/" + id))
			.header("X-Forwarded-For", "198.51.100.2").build(), HttpResponse.BodyHandlers.ofString());
		assertThat(read.statusCode()).isEqualTo(200);
		assertThat(read.headers().firstValue("X-RateLimit-Limit")).hasValue("120");
	}

	private HttpResponse<String> post(String path, String json, String client, String... headers) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/json")
			.header("X-Forwarded-For", client)
			.POST(HttpRequest.BodyPublishers.ofString(json));
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

}
