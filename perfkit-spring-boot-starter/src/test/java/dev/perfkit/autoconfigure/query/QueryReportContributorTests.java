package dev.perfkit.autoconfigure.query;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.perfkit.query.QueryInsight;
import dev.perfkit.query.QueryScope;
import dev.perfkit.report.PerformanceReport;
import dev.perfkit.report.PerformanceReportEngine;
import dev.perfkit.report.QuerySection;
import dev.perfkit.test.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The query and pool report contributor against a real PostgreSQL: SQL per fingerprint
 * under the meter's fingerprint tag, N+1 suspects with endpoint and caller, leak stacks,
 * and a reset that forgets the query statistics.
 */
class QueryReportContributorTests {

	private final ApplicationContextRunner contextRunner = PostgresContextRunners
		.of(TestPostgres.get(), "org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
				"dev.perfkit.autoconfigure.observability.PerfkitObservabilityAutoConfiguration")
		.withPropertyValues("spring.datasource.hikari.maximum-pool-size=2");

	@Test
	void eachQueryOfTheReportCarriesItsNormalizedSqlUnderTheMetersFingerprintTag() {
		this.contextRunner.run((context) -> {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			jdbc.queryForObject("SELECT 41 + 1", Integer.class);
			PerformanceReport report = context.getBean(PerformanceReportEngine.class).report();
			String fingerprint = context.getBean(MeterRegistry.class)
				.get("perfkit.query.duration")
				.tag("datasource", "dataSource")
				.timers()
				.stream()
				.map((timer) -> timer.getId().getTag("fingerprint"))
				.filter((tag) -> !"other".equals(tag))
				.findFirst()
				.orElseThrow();
			assertThat(report.queries().topByCount()).anySatisfy((query) -> {
				assertThat(query.fingerprint()).isEqualTo(fingerprint);
				assertThat(query.details().get("sql")).asString().isEqualTo("select ? + ?");
			});
		});
	}

	@Test
	void nPlusOneSuspectsNameTheirEndpointAndCallerAndAResetForgetsThem() {
		this.contextRunner.run((context) -> {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			try (QueryScope scope = QueryScope.open("GET /orders")) {
				for (int i = 0; i < 6; i++) {
					jdbc.queryForObject("SELECT ?::int", Integer.class, i);
				}
			}
			PerformanceReportEngine engine = context.getBean(PerformanceReportEngine.class);
			QuerySection queries = engine.report().queries();
			assertThat((List<?>) queries.details().get("nPlusOneSuspects")).singleElement().satisfies((suspect) -> {
				Map<?, ?> entry = (Map<?, ?>) suspect;
				assertThat(entry.get("endpoint")).isEqualTo("GET /orders");
				assertThat(entry.get("caller")).asString().contains(QueryReportContributorTests.class.getSimpleName());
				assertThat(entry.get("datasource")).isEqualTo("dataSource");
				assertThat(entry.get("sql")).isEqualTo("select ?::int");
			});

			engine.reset();
			assertThat(context.getBean(QueryInsight.class).snapshot().queries()).isEmpty();
			assertThat((List<?>) engine.report().queries().details().get("nPlusOneSuspects")).isEmpty();
		});
	}

	@Test
	void aLeakSuspectAppearsOnItsPoolWithTheBorrowersStack() {
		this.contextRunner.withPropertyValues("perfkit.query.pool.leak-threshold=200ms").run((context) -> {
			PerformanceReportEngine engine = context.getBean(PerformanceReportEngine.class);
			try (Connection held = context.getBean(DataSource.class).getConnection()) {
				await().atMost(Duration.ofSeconds(10))
					.until(() -> engine.report().pool().pools().stream().anyMatch((pool) -> pool.leakSuspects() == 1));
			}
			assertThat(engine.report().pool().pools()).singleElement().satisfies((pool) -> {
				assertThat(pool.name()).isEqualTo("dataSource");
				assertThat((List<?>) pool.details().get("leaks")).singleElement()
					.satisfies((leak) -> assertThat((List<?>) ((Map<?, ?>) leak).get("stack")).isNotEmpty());
			});
		});
	}

}
