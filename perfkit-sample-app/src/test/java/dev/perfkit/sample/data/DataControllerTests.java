package dev.perfkit.sample.data;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.perfkit.query.QueryInsight;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's data endpoints on its embedded database: the deliberate N+1 is reported
 * with its route, its fetch-join twin is not, and the report shows in the statistics.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.data.redis.port=1", "spring.data.redis.connect-timeout=100ms" })
class DataControllerTests {

	@LocalServerPort
	private int port;

	@Autowired
	private QueryInsight insight;

	@BeforeEach
	void reset() {
		this.insight.reset();
	}

	@Test
	void theNPlusOneEndpointIsReportedWithItsRoute() throws Exception {
		get("/api/executions/n-plus-one");
		assertThat(this.insight.snapshot().nPlusOneSuspects()).singleElement().satisfies((suspect) -> {
			assertThat(suspect.entryPoint()).isEqualTo("GET /api/executions/n-plus-one");
			assertThat(suspect.lastCount()).isEqualTo(20);
			assertThat(suspect.caller()).contains("AgentQueries");
		});
	}

	@Test
	void theFetchJoinTwinIsNotReported() throws Exception {
		get("/api/executions");
		get("/api/agents");
		assertThat(this.insight.snapshot().nPlusOneSuspects()).isEmpty();
	}

	@Test
	void theReportQueryIsMeasured() throws Exception {
		get("/api/reports/balances");
		assertThat(this.insight.snapshot().queries())
			.anySatisfy((query) -> assertThat(query.sql()).contains("credit_transaction"));
	}

	private void get(String path) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(path).isEqualTo(200);
	}

}
