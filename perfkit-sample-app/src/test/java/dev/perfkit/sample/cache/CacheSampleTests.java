package dev.perfkit.sample.cache;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.perfkit.cache.TwoTierCache;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cache.CacheManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's cached endpoints on its embedded defaults, with no Redis answering.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.data.redis.port=1", "spring.data.redis.connect-timeout=100ms" })
class CacheSampleTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private CacheManager cacheManager;

	@Autowired
	private AgentStatisticsService statistics;

	@Test
	void theCachesHaveTheSampleTtls() {
		assertThat(((TwoTierCache) this.cacheManager.getCache("agent-statistics")).settings().ttl())
			.hasMinutes(2);
		assertThat(((TwoTierCache) this.cacheManager.getCache("pricing")).settings().ttl()).hasHours(1);
		assertThat(((TwoTierCache) this.cacheManager.getCache("credit-balance")).settings().ttl()).hasSeconds(60);
	}

	@Test
	void statisticsAreComputedOnceAndTheHeaderSaysSo() throws Exception {
		HttpResponse<String> first = send("GET", "/api/agents/agent-42/statistics");
		HttpResponse<String> second = send("GET", "/api/agents/agent-42/statistics");
		assertThat(first.headers().firstValue("X-Cache-Status")).hasValue("MISS");
		assertThat(second.headers().firstValue("X-Cache-Status")).hasValue("HIT");
		assertThat(second.body()).isEqualTo(first.body()).contains("agent-42");
		assertThat(this.statistics.computations()).isEqualTo(1);
	}

	@Test
	void addingCreditsEvictsTheCachedBalance() throws Exception {
		assertThat(send("GET", "/api/accounts/acme/credits").body()).contains("\"credits\":0");
		assertThat(send("POST", "/api/accounts/acme/credits?amount=250").body()).contains("\"credits\":250");
		assertThat(send("GET", "/api/accounts/acme/credits").body()).contains("\"credits\":250");
	}

	private HttpResponse<String> send(String method, String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.method(method, HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
