package dev.perfkit.sample.data;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.perfkit.query.QueryInsight;
import dev.perfkit.query.QueryStatisticsSnapshot;
import dev.perfkit.test.PostgresDatabase;
import dev.perfkit.test.TestPostgres;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample in its {@code postgres} profile, on a PostgreSQL database of its own: the
 * read-only agent listing runs on the replica pool, the seeding writes on the primary.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.data.redis.port=1", "spring.data.redis.connect-timeout=100ms" })
@ActiveProfiles("postgres")
class DataReplicaIntegrationTests {

	@LocalServerPort
	private int port;

	@Autowired
	private QueryInsight insight;

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		PostgresDatabase database = TestPostgres.get().sibling("perfkit_sample_data");
		registry.add("spring.datasource.url", database::jdbcUrl);
		registry.add("spring.datasource.username", database::username);
		registry.add("spring.datasource.password", database::password);
		// A real deployment names a streaming replica; here a second pool on the same database.
		registry.add("perfkit.datasource.replica.url", database::jdbcUrl);
	}

	@Test
	void theReadOnlyAgentListingRunsOnTheReplica() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/api/agents")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("agent-1");
		QueryStatisticsSnapshot snapshot = this.insight.snapshot();
		assertThat(snapshot.queries()).anySatisfy((query) -> {
			assertThat(query.dataSource()).isEqualTo("replica");
			assertThat(query.sql()).contains("from agent");
		});
		assertThat(snapshot.queries()).anySatisfy((query) -> {
			assertThat(query.dataSource()).isEqualTo("dataSource");
			assertThat(query.sql()).startsWith("insert into agent");
		});
	}

}
