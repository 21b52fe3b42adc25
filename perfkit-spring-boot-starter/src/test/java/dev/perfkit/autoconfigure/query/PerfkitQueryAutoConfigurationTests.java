package dev.perfkit.autoconfigure.query;

import java.sql.Connection;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import dev.perfkit.pool.PoolInsight;
import dev.perfkit.query.QueryInsight;
import dev.perfkit.query.QuerySettings;
import dev.perfkit.test.PostgresDatabase;
import dev.perfkit.test.TestPostgres;
import dev.perfkit.test.TestServer;
import io.micrometer.core.instrument.MeterRegistry;
import net.ttddyy.dsproxy.support.ProxyDataSource;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wiring of database insight against a real PostgreSQL.
 */
class PerfkitQueryAutoConfigurationTests {

	private final PostgresDatabase database = TestPostgres.get();

	private final ApplicationContextRunner contextRunner = PostgresContextRunners
		.of(this.database, "org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration")
		.withPropertyValues("spring.datasource.hikari.maximum-pool-size=2");

	@Test
	void theDataSourceIsWrappedAndStillUnwrapsToTheHikariPool() {
		this.contextRunner.run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			assertThat(dataSource).isInstanceOf(ProxyDataSource.class);
			assertThat(dataSource.unwrap(HikariDataSource.class)).isNotNull();
			new JdbcTemplate(dataSource).queryForObject("SELECT 1", Integer.class);
			assertThat(context.getBean(QueryInsight.class).snapshot().queries()).singleElement()
				.satisfies((query) -> assertThat(query.dataSource()).isEqualTo("dataSource"));
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.find("hikaricp.connections.max").tag("pool", "dataSource").gauge()).isNotNull();
			assertThat(registry.find("jdbc.connections.max").gauge()).isNotNull();
			assertThat(registry.find("perfkit.query.duration").tag("datasource", "dataSource").timers()).isNotEmpty();
			assertThat(registry.find("perfkit.pool.saturation").tag("pool", "dataSource").gauge()).isNotNull();
		});
	}

	@Test
	void anExcludedDataSourceIsLeftAlone() {
		this.contextRunner.withPropertyValues("perfkit.query.excluded-data-sources=dataSource")
			.run((context) -> assertThat(context.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class));
	}

	@Test
	void perfkitQueryEnabledFalseLeavesTheDataSourceAlone() {
		this.contextRunner.withPropertyValues("perfkit.query.enabled=false").run((context) -> {
			assertThat(context.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class);
			assertThat(context).doesNotHaveBean(QueryInsight.class);
		});
	}

	@Test
	void perfkitEnabledFalseLeavesTheDataSourceAlone() {
		this.contextRunner.withPropertyValues("perfkit.enabled=false")
			.run((context) -> assertThat(context.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class));
	}

	@Test
	void queryInsightBacksOffWhenTheUserDefinesOne() {
		this.contextRunner.withUserConfiguration(UserQueryInsightConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(QueryInsight.class);
			assertThat(context.getBean(QueryInsight.class))
				.isSameAs(context.getBean(UserQueryInsightConfiguration.class).insight);
		});
	}

	@Test
	void propertiesReachTheEngine() {
		this.contextRunner
			.withPropertyValues("perfkit.query.slow-threshold=250ms", "perfkit.query.n-plus-one.threshold=7",
					"perfkit.query.n-plus-one.strict=true", "perfkit.query.timeout=5s",
					"perfkit.query.max-fingerprints=50", "perfkit.query.slow-log-lines-per-second=25")
			.run((context) -> {
				QuerySettings settings = context.getBean(QueryInsight.class).settings();
				assertThat(settings.slowThreshold()).hasMillis(250);
				assertThat(settings.nPlusOneThreshold()).isEqualTo(7);
				assertThat(settings.strict()).isTrue();
				assertThat(settings.timeout()).hasSeconds(5);
				assertThat(settings.maxFingerprints()).isEqualTo(50);
				assertThat(settings.slowLogLinesPerSecond()).isEqualTo(25);
			});
	}

	@Test
	void theSlowQueryLogIsBoundedToTenLinesPerSecondByDefaultAndZeroUnbindsIt() {
		this.contextRunner.run((context) -> assertThat(context.getBean(QueryInsight.class).settings()
			.slowLogLinesPerSecond()).isEqualTo(10));
		this.contextRunner.withPropertyValues("perfkit.query.slow-log-lines-per-second=0")
			.run((context) -> assertThat(context.getBean(QueryInsight.class).settings().slowLogLinesPerSecond())
				.isZero());
	}

	@Test
	void aNegativeNumberOfSlowLogLinesFailsStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("perfkit.query.slow-log-lines-per-second=-1").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOfSatisfying(InvalidPerfkitPropertyException.class, (ex) -> {
					assertThat(ex.getProperty()).isEqualTo("perfkit.query.slow-log-lines-per-second");
					assertThat(ex.getValue()).isEqualTo(-1);
					assertThat(ex.getProblem()).contains("cannot be negative");
					assertThat(ex.getAction()).contains("set 0 to write every line");
				});
		});
	}

	@Test
	void aThresholdOfOneFailsStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("perfkit.query.n-plus-one.threshold=1").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidPerfkitPropertyException.class)
				.hasMessageContaining("perfkit.query.n-plus-one.threshold");
		});
	}

	@Test
	void poolHealthReadsThePoolWithoutBorrowing() {
		this.contextRunner.run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			PoolHealthIndicator health = context.getBean(PoolHealthIndicator.class);
			try (Connection first = dataSource.getConnection(); Connection second = dataSource.getConnection()) {
				Health held = health.health(true);
				assertThat(held.getStatus()).isEqualTo(PoolHealthIndicator.SATURATED);
				@SuppressWarnings("unchecked")
				Map<String, Object> pool = (Map<String, Object>) held.getDetails().get("dataSource");
				assertThat(pool).containsEntry("active", 2).containsEntry("maximum", 2);
			}
			assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);
			assertThat(context.getBean(PoolInsight.class).snapshots()).singleElement()
				.satisfies((snapshot) -> assertThat(snapshot.peakActive()).isEqualTo(2));
		});
	}

	@Test
	void aReadOnlyTransactionRunsOnTheReplicaAndAReadWriteOneOnThePrimary() {
		PostgresDatabase replica = this.database.sibling("perfkit_replica");
		this.contextRunner.withPropertyValues("perfkit.datasource.replica.url=" + replica.jdbcUrl()).run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			assertThat(dataSource).isInstanceOf(LazyConnectionDataSourceProxy.class);
			assertThat(dataSource.unwrap(HikariDataSource.class)).isNotNull();
			TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			transaction.setReadOnly(true);
			String readOnly = transaction
				.execute((status) -> jdbc.queryForObject("SELECT current_database()", String.class));
			transaction.setReadOnly(false);
			String readWrite = transaction
				.execute((status) -> jdbc.queryForObject("SELECT current_database()", String.class));
			assertThat(readOnly).isEqualTo("perfkit_replica");
			assertThat(readWrite).isNotEqualTo("perfkit_replica");
			assertThat(context.getBean(QueryInsight.class).snapshot().queries())
				.extracting((query) -> query.dataSource())
				.containsExactlyInAnyOrder("dataSource", "replica");
			assertThat(context.getBean(MeterRegistry.class).find("hikaricp.connections.max").tag("pool", "replica").gauge())
				.isNotNull();
		});
	}

	@Test
	void aReplicaDefinedAsTheUsersOwnBeanTakesTheReadOnlyWork() {
		PostgresDatabase replica = this.database.sibling("perfkit_replica");
		this.contextRunner.withUserConfiguration(UserReplicaConfiguration.class)
			.withPropertyValues("perfkit.datasource.replica.bean-name=replicaDataSource",
					"replica.url=" + replica.jdbcUrl(), "replica.username=" + replica.username(),
					"replica.password=" + replica.password(), "primary.url=" + this.database.jdbcUrl())
			.run((context) -> {
				DataSource dataSource = context.getBean("dataSource", DataSource.class);
				assertThat(dataSource).isInstanceOf(LazyConnectionDataSourceProxy.class);
				// The replica bean itself is left as the user made it: it is wrapped once, behind the router.
				assertThat(context.getBean("replicaDataSource")).isInstanceOf(HikariDataSource.class);
				TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
				JdbcTemplate jdbc = new JdbcTemplate(dataSource);
				transaction.setReadOnly(true);
				String readOnly = transaction
					.execute((status) -> jdbc.queryForObject("SELECT current_database()", String.class));
				transaction.setReadOnly(false);
				String readWrite = transaction
					.execute((status) -> jdbc.queryForObject("SELECT current_database()", String.class));
				assertThat(readOnly).isEqualTo("perfkit_replica");
				assertThat(readWrite).isNotEqualTo("perfkit_replica");
				assertThat(context.getBean(QueryInsight.class).snapshot().queries())
					.extracting((query) -> query.dataSource())
					.containsExactlyInAnyOrder("dataSource", "replica");
			});
	}

	@Test
	void readOnlyWorkFallsBackToThePrimaryWhenTheReplicaIsDownAndStartupDoesNotFail() throws Exception {
		int closedPort;
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		this.contextRunner
			.withPropertyValues("perfkit.datasource.replica.url=jdbc:postgresql://127.0.0.1:" + closedPort + "/none",
					"perfkit.datasource.replica.connection-timeout=250ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				DataSource dataSource = context.getBean(DataSource.class);
				TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
				transaction.setReadOnly(true);
				String database = transaction.execute((status) -> new JdbcTemplate(dataSource)
					.queryForObject("SELECT current_database()", String.class));
				assertThat(database).isEqualTo(new JdbcTemplate(dataSource)
					.queryForObject("SELECT current_database()", String.class));
			});
	}

	@Test
	void aConnectionHeldPastTheLeakThresholdIsCountedByTheSweeper() {
		this.contextRunner.withPropertyValues("perfkit.query.pool.leak-threshold=200ms").run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			try (Connection held = context.getBean(DataSource.class).getConnection()) {
				org.awaitility.Awaitility.await()
					.atMost(java.time.Duration.ofSeconds(10))
					.until(() -> registry.get("perfkit.pool.leak.suspects").tag("pool", "dataSource").counter().count() == 1);
			}
			assertThat(context.getBean(PoolInsight.class).snapshots()).singleElement()
				.satisfies((pool) -> assertThat(pool.leakSuspects()).singleElement()
					.satisfies((suspect) -> assertThat(suspect.stack()).isNotEmpty()));
		});
	}

	@Test
	void slowSelectsAreExplainedWhenSwitchedOn() {
		this.contextRunner
			.withPropertyValues("perfkit.query.explain.enabled=true", "perfkit.query.slow-threshold=0ms",
					"perfkit.query.explain.large-table-rows=0")
			.run((context) -> {
				new JdbcTemplate(context.getBean(DataSource.class))
					.queryForList("SELECT relname FROM pg_class WHERE relname = ?", "pg_class");
				QueryInsight insight = context.getBean(QueryInsight.class);
				org.awaitility.Awaitility.await()
					.atMost(java.time.Duration.ofSeconds(10))
					.until(() -> !insight.snapshot().plans().isEmpty());
				assertThat(insight.snapshot().plans()).singleElement()
					.satisfies((plan) -> assertThat(plan.dataSource()).isEqualTo("dataSource"));
			});
	}

	@Test
	void slowSelectsOnMariaDbAreExplainedWithExplainFormatJson() {
		PostgresContextRunners.of(TestServer.MARIADB.database())
			.withPropertyValues("perfkit.query.explain.enabled=true", "perfkit.query.slow-threshold=0ms",
					"perfkit.query.explain.large-table-rows=0")
			.run((context) -> {
				new JdbcTemplate(context.getBean(DataSource.class))
					.queryForList("SELECT table_name FROM information_schema.tables WHERE table_name = ?", "t");
				QueryInsight insight = context.getBean(QueryInsight.class);
				org.awaitility.Awaitility.await()
					.atMost(java.time.Duration.ofSeconds(10))
					.until(() -> !insight.snapshot().plans().isEmpty());
				assertThat(insight.snapshot().plans()).singleElement()
					.satisfies((plan) -> assertThat(plan.plan()).contains("query_block"));
			});
	}

	@Test
	void theDialectIsToldFromTheUrlAndCanBeOverriddenPerDataSource() {
		String sql = "SELECT 'a' AS \"Label\"";
		this.contextRunner.run((context) -> {
			new JdbcTemplate(context.getBean(DataSource.class)).queryForList(sql);
			assertThat(context.getBean(QueryInsight.class).snapshot().queries()).singleElement()
				.satisfies((query) -> assertThat(query.sql()).isEqualTo("select ? as \"Label\""));
		});
		// Read as MySQL, the double-quoted text is a string and is masked.
		this.contextRunner.withPropertyValues("perfkit.query.dialect.dataSource=mysql").run((context) -> {
			new JdbcTemplate(context.getBean(DataSource.class)).queryForList(sql);
			assertThat(context.getBean(QueryInsight.class).snapshot().queries()).singleElement()
				.satisfies((query) -> assertThat(query.sql()).isEqualTo("select ? as ?"));
		});
	}

	@Test
	void explainIsOffByDefault() {
		this.contextRunner.withPropertyValues("perfkit.query.slow-threshold=0ms").run((context) -> {
			new JdbcTemplate(context.getBean(DataSource.class)).queryForList("SELECT 1");
			assertThat(context.getBean(QueryInsight.class).snapshot().plans()).isEmpty();
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserReplicaConfiguration {

		@Bean
		HikariDataSource dataSource(org.springframework.core.env.Environment environment) {
			return pool(environment.getProperty("primary.url"), environment);
		}

		@Bean
		HikariDataSource replicaDataSource(org.springframework.core.env.Environment environment) {
			return pool(environment.getProperty("replica.url"), environment);
		}

		private static HikariDataSource pool(String url, org.springframework.core.env.Environment environment) {
			HikariDataSource pool = new HikariDataSource();
			pool.setJdbcUrl(url);
			pool.setUsername(environment.getProperty("replica.username"));
			pool.setPassword(environment.getProperty("replica.password"));
			pool.setMaximumPoolSize(2);
			return pool;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserQueryInsightConfiguration {

		final QueryInsight insight = new QueryInsight(QuerySettings.defaults(), null);

		@Bean
		QueryInsight userQueryInsight() {
			return this.insight;
		}

	}

}
