package dev.perfkit.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.perfkit.test.TestDatabase;
import dev.perfkit.test.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * EXPLAIN of slow SELECT statements on PostgreSQL and on MariaDB.
 */
@ParameterizedClass
@EnumSource(TestServer.class)
class PlanExplainerIntegrationTests {

	@Parameter
	TestServer server;

	private final String table = "pk5_e" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);

	private TestDatabase database;

	private HikariDataSource pool;

	private PlanExplainer explainer;

	@BeforeEach
	void createTable() {
		this.database = this.server.database();
		this.database.execute("CREATE TABLE " + this.table + " (id int primary key, v int)");
		this.database.execute("INSERT INTO " + this.table + " SELECT g, g % 100 FROM (" + this.server.numbers(20000) + ") n");
		this.database.execute(((this.server == TestServer.MARIADB) ? "ANALYZE TABLE " : "ANALYZE ") + this.table);
		this.pool = TestPools.of(this.database);
		SqlDialect dialect = (this.server == TestServer.MARIADB) ? SqlDialect.MYSQL : SqlDialect.POSTGRESQL;
		this.explainer = new PlanExplainer("primary", dialect, this.database::connect, Duration.ofHours(1),
				Duration.ofSeconds(2), 10_000);
	}

	@AfterEach
	void dropTable() {
		this.explainer.close();
		this.pool.close();
		this.database.execute("DROP TABLE IF EXISTS " + this.table);
	}

	@Test
	void aSlowSelectScanningALargeTableIsExplainedOnceAndFlaggedAsAnIndexCandidate() throws SQLException {
		QueryInsight insight = new QueryInsight(QuerySettings.defaults().withSlowThreshold(Duration.ZERO), null);
		DataSource dataSource = insight.wrap(this.pool, "primary", null, this.explainer);
		for (int v = 1; v <= 3; v++) {
			selectByValue(dataSource, v);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> !insight.snapshot().plans().isEmpty());
		selectByValue(dataSource, 4);
		assertThat(insight.snapshot().plans()).singleElement().satisfies((plan) -> {
			assertThat(plan.sql()).isEqualTo("select id from " + this.table + " where v = ?");
			if (this.server == TestServer.MARIADB) {
				// MariaDB estimates the rows from its statistics: near 20000, not always exactly.
				assertThat(plan.plan()).contains("\"access_type\": \"ALL\"").doesNotContain("r_rows");
				assertThat(plan.indexCandidates()).singleElement()
					.asString()
					.matches("full table scan of " + this.table + " \\(about [12]\\d{4} rows\\) filtering on v: an index on "
							+ "the filtered columns may help");
			}
			else {
				assertThat(plan.plan()).contains("Seq Scan").doesNotContain("Actual Rows");
				assertThat(plan.indexCandidates()).singleElement()
					.asString()
					.isEqualTo("sequential scan of " + this.table + " (about 20000 rows) filtering on v: an index on the "
							+ "filtered columns may help");
			}
		});
	}

	@Test
	void writesAreNeverExplained() throws SQLException {
		QueryInsight insight = new QueryInsight(QuerySettings.defaults().withSlowThreshold(Duration.ZERO), null);
		DataSource dataSource = insight.wrap(this.pool, "primary", null, this.explainer);
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute("UPDATE " + this.table + " SET v = v WHERE id = 1");
			statement.execute("SELECT id FROM " + this.table + " WHERE id = 1");
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> !insight.snapshot().plans().isEmpty());
		assertThat(insight.snapshot().plans()).singleElement()
			.satisfies((plan) -> assertThat(plan.sql()).startsWith("select"));
	}

	@Test
	void theIndexCandidateNamesColumnsNeverValues() throws SQLException {
		QueryInsight insight = new QueryInsight(QuerySettings.defaults().withSlowThreshold(Duration.ZERO), null);
		DataSource dataSource = insight.wrap(this.pool, "primary", null, this.explainer);
		try (Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement(
						"SELECT id FROM " + this.table + " WHERE v = ? AND concat('k', id) <> 'hunter2 = 1'")) {
			statement.setInt(1, 424242);
			statement.executeQuery().close();
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> !insight.snapshot().plans().isEmpty());
		assertThat(insight.snapshot().plans()).singleElement()
			.satisfies((plan) -> assertThat(plan.indexCandidates()).singleElement()
				.asString()
				.doesNotContain("hunter2")
				.doesNotContain("424242"));
	}

	private void selectByValue(DataSource dataSource, int value) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection
					.prepareStatement("SELECT id FROM " + this.table + " WHERE v = ?")) {
			statement.setInt(1, value);
			statement.executeQuery().close();
		}
	}

}
