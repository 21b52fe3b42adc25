package dev.perfkit.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.perfkit.test.TestDatabase;
import dev.perfkit.test.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The query insight engine against a real PostgreSQL and a real MariaDB behind HikariCP.
 */
@ParameterizedClass
@EnumSource(TestServer.class)
class QueryInsightIntegrationTests {

	@Parameter
	TestServer server;

	private static final Pattern DURATION = Pattern.compile("took ([0-9.]+) ms");

	private final String table = "pk5_q" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);

	private TestDatabase database;

	private HikariDataSource pool;

	private SimpleMeterRegistry registry;

	@BeforeEach
	void createTable() {
		this.database = this.server.database();
		String text = this.server.textType();
		this.database.execute("CREATE TABLE " + this.table + " (id int primary key, name " + text + ", password " + text + ")");
		this.database.execute("INSERT INTO " + this.table + " SELECT g, concat('name-', g), concat('secret-', g) FROM ("
				+ this.server.numbers(20) + ") n");
		this.pool = TestPools.of(this.database);
		this.registry = new SimpleMeterRegistry();
	}

	@AfterEach
	void dropTable() {
		this.pool.close();
		this.database.execute("DROP TABLE IF EXISTS " + this.table);
	}

	private DataSource wrapped(QuerySettings settings) {
		return new QueryInsight(settings, this.registry).wrap(this.pool, "primary");
	}

	@Test
	void aStatementSlowedBeyondTheThresholdGivesExactlyOneLineWithItsRealDuration() throws SQLException {
		DataSource dataSource = wrapped(QuerySettings.defaults());
		try (LogCapture log = new LogCapture("dev.perfkit.query.slow")) {
			query(dataSource, this.server.sleep(0.15));
			assertThat(log.lines()).hasSize(1);
			Matcher matcher = DURATION.matcher(log.lines().get(0));
			assertThat(matcher.find()).isTrue();
			// The real duration, not the 100 ms threshold.
			assertThat(Double.parseDouble(matcher.group(1))).isGreaterThanOrEqualTo(150.0);
			assertThat(log.lines().get(0)).contains("data source 'primary'", "outcome=success", "batch=1",
					"select " + this.server.sleepFunction() + "(?)");
		}
		assertThat(this.registry.get("perfkit.query.slow").counter().count()).isEqualTo(1);
	}

	@Test
	void aStatementUnderTheThresholdGivesNoLine() throws SQLException {
		// A threshold far above the statement's 50 ms: the duration measured includes the
		// round trip, which a loaded machine can stretch past the default 100 ms.
		DataSource dataSource = wrapped(QuerySettings.defaults().withSlowThreshold(Duration.ofSeconds(10)));
		try (LogCapture log = new LogCapture("dev.perfkit.query.slow")) {
			query(dataSource, this.server.sleep(0.05));
			assertThat(log.lines()).isEmpty();
		}
		assertThat(this.registry.get("perfkit.query.slow").counter().count()).isZero();
	}

	@Test
	void tenThousandFastStatementsStartNoThreadAndScheduleNoTask() throws SQLException {
		// A plain driver data source, so that no pool thread comes and goes during the count.
		DataSource driver = driverDataSource();
		DataSource dataSource = new QueryInsight(QuerySettings.defaults(), this.registry).wrap(driver, "primary");
		query(dataSource, "SELECT 1");
		Set<Long> before = liveThreadIds();
		try (Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT ?")) {
			for (int i = 0; i < 10_000; i++) {
				statement.setInt(1, i);
				try (ResultSet resultSet = statement.executeQuery()) {
					resultSet.next();
				}
			}
		}
		// Threads of earlier tests may end meanwhile; none may start.
		Set<Long> started = liveThreadIds();
		started.removeAll(before);
		assertThat(started).as("threads started while 10,000 statements ran").isEmpty();
		assertThat(this.registry.get("perfkit.query.duration").tag("datasource", "primary").timers()
			.stream().mapToLong((timer) -> timer.count()).sum()).isEqualTo(10_001);
	}

	private DataSource driverDataSource() throws SQLException {
		if (this.server == TestServer.MARIADB) {
			MariaDbDataSource driver = new MariaDbDataSource(this.database.jdbcUrl());
			driver.setUser(this.database.username());
			driver.setPassword(this.database.password());
			return driver;
		}
		PGSimpleDataSource driver = new PGSimpleDataSource();
		driver.setURL(this.database.jdbcUrl());
		driver.setUser(this.database.username());
		driver.setPassword(this.database.password());
		return driver;
	}

	private static Set<Long> liveThreadIds() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.map(Thread::getId)
			.collect(Collectors.toCollection(java.util.HashSet::new));
	}

	@Test
	void inListsOfDifferentLengthsAreCountedUnderOneFingerprint() throws SQLException {
		QueryInsight insight = new QueryInsight(QuerySettings.defaults(), this.registry);
		DataSource dataSource = insight.wrap(this.pool, "primary");
		try (Connection connection = dataSource.getConnection()) {
			runIn(connection, "SELECT name FROM " + this.table + " WHERE id IN (?,?)", 1, 2);
			runIn(connection, "SELECT name FROM " + this.table + " WHERE id IN (?,?,?,?)", 1, 2, 3, 4);
		}
		QueryStatisticsSnapshot snapshot = insight.snapshot();
		assertThat(snapshot.queries()).hasSize(1);
		QueryStatisticsSnapshot.Query query = snapshot.queries().get(0);
		assertThat(query.sql()).isEqualTo("select name from " + this.table + " where id in (?)");
		assertThat(query.count()).isEqualTo(2);
		assertThat(query.errors()).isZero();
		assertThat(query.max()).isGreaterThanOrEqualTo(query.mean());
		assertThat(query.p99()).isGreaterThanOrEqualTo(query.p50()).isLessThanOrEqualTo(query.max());
	}

	@Test
	void pastTheFingerprintBoundStatementsLandInOverflowAndMetersStopGrowing() throws SQLException {
		QueryInsight insight = new QueryInsight(QuerySettings.defaults().withFingerprintBounds(3, 2), this.registry);
		DataSource dataSource = insight.wrap(this.pool, "primary");
		for (int i = 0; i < 10; i++) {
			query(dataSource, "SELECT 1 AS c" + i);
		}
		int meters = this.registry.getMeters().size();
		for (int i = 10; i < 40; i++) {
			query(dataSource, "SELECT 1 AS c" + i);
		}
		assertThat(this.registry.getMeters()).hasSize(meters);
		QueryStatisticsSnapshot snapshot = insight.snapshot();
		assertThat(snapshot.queries()).hasSize(4);
		assertThat(snapshot.query("primary", "overflow").count()).isEqualTo(37);
		assertThat(snapshot.query("primary", "overflow").overflow()).isTrue();
		assertThat(this.registry.get("perfkit.query.fingerprints").gauge().value()).isEqualTo(3);
		assertThat(this.registry.get("perfkit.query.duration").tag("fingerprint", "other").timer().count())
			.isEqualTo(38);
	}

	@Test
	void retaggingGivesTheFingerprintTagToTheLargestTotalTimeAndKeepsTheMeterBound() throws SQLException {
		QueryInsight insight = new QueryInsight(QuerySettings.defaults().withFingerprintBounds(10, 1), this.registry);
		DataSource dataSource = insight.wrap(this.pool, "primary");
		query(dataSource, "SELECT 1");
		// 300 ms in all, so that one SELECT 1 slowed by a loaded machine never outweighs them.
		for (int i = 0; i < 3; i++) {
			query(dataSource, this.server.sleep(0.1));
		}
		String fast = Fingerprint.of("SELECT 1").id();
		String slow = Fingerprint.of(this.server.sleep(0.1)).id();
		assertThat(this.registry.find("perfkit.query.duration").tag("fingerprint", fast).timer()).isNotNull();
		insight.retagFingerprints();
		assertThat(this.registry.find("perfkit.query.duration").tag("fingerprint", fast).timer()).isNull();
		assertThat(this.registry.find("perfkit.query.duration").tag("fingerprint", slow).timer()).isNotNull();
		query(dataSource, this.server.sleep(0.1));
		query(dataSource, "SELECT 1");
		assertThat(this.registry.get("perfkit.query.duration").tag("fingerprint", slow).timer().count()).isEqualTo(1);
		assertThat(this.registry.get("perfkit.query.duration").tag("fingerprint", "other").timer().count())
			.isEqualTo(4);
		assertThat(this.registry.find("perfkit.query.duration").timers()).hasSize(2);
	}

	@Test
	void aBatchIsOneExecutionWithItsSizeInTheSlowLine() throws SQLException {
		QueryInsight insight = new QueryInsight(QuerySettings.defaults().withSlowThreshold(Duration.ZERO), this.registry);
		DataSource dataSource = insight.wrap(this.pool, "primary");
		try (LogCapture log = new LogCapture("dev.perfkit.query.slow");
				Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection
					.prepareStatement("UPDATE " + this.table + " SET name = ? WHERE id = ?")) {
			for (int id = 1; id <= 3; id++) {
				statement.setString(1, "renamed-" + id);
				statement.setInt(2, id);
				statement.addBatch();
			}
			statement.executeBatch();
			assertThat(log.lines()).singleElement().asString().contains("batch=3");
		}
		assertThat(insight.snapshot().queries()).singleElement()
			.satisfies((query) -> assertThat(query.count()).isEqualTo(1));
	}

	@Test
	void slowLinesAreBoundedPerSecondWhileStatisticsAndMetersCountEveryStatement() throws SQLException {
		AtomicLong nanos = new AtomicLong(System.nanoTime());
		QuerySettings settings = QuerySettings.defaults().withSlowThreshold(Duration.ZERO).withSlowLogLinesPerSecond(3);
		QueryInsight insight = new QueryInsight(settings, this.registry, Clock.systemUTC(), nanos::get);
		DataSource dataSource = insight.wrap(this.pool, "primary");
		try (LogCapture log = new LogCapture("dev.perfkit.query.slow")) {
			selectEachById(dataSource, 10);
			assertThat(log.lines()).hasSize(3);
			nanos.addAndGet(1_000_000_000L);
			query(dataSource, "SELECT 1");
			assertThat(log.lines()).hasSize(4);
			assertThat(log.lines().get(3)).contains("select ?")
				.endsWith(" (7 more slow statements not logged in the last 1.0 s; see the query statistics)");
		}
		String selectById = Fingerprint.of("SELECT id FROM " + this.table + " WHERE id = ?", SqlDialect.UNKNOWN).id();
		assertThat(insight.snapshot().query("primary", selectById).count()).isEqualTo(10);
		assertThat(this.registry.get("perfkit.query.slow").counter().count()).isEqualTo(11);
		assertThat(this.registry.get("perfkit.query.slow.log.suppressed").tag("datasource", "primary").counter().count())
			.isEqualTo(7);
	}

	@Test
	void theDataSourcesOfOneEngineShareTheBoundAndEachCountsWhatItsLinesLost() throws SQLException {
		AtomicLong nanos = new AtomicLong(System.nanoTime());
		QuerySettings settings = QuerySettings.defaults().withSlowThreshold(Duration.ZERO).withSlowLogLinesPerSecond(3);
		QueryInsight insight = new QueryInsight(settings, this.registry, Clock.systemUTC(), nanos::get);
		DataSource primary = insight.wrap(this.pool, "primary");
		DataSource secondary = insight.wrap(this.pool, "secondary");
		try (LogCapture log = new LogCapture("dev.perfkit.query.slow")) {
			selectEachById(primary, 2);
			selectEachById(secondary, 4);
			assertThat(log.lines()).hasSize(3);
			assertThat(log.lines().get(2)).contains("data source 'secondary'");
		}
		assertThat(this.registry.get("perfkit.query.slow.log.suppressed").tag("datasource", "primary").counter().count())
			.isZero();
		assertThat(this.registry.get("perfkit.query.slow.log.suppressed").tag("datasource", "secondary").counter().count())
			.isEqualTo(3);
		assertThat(this.registry.get("perfkit.query.slow").tag("datasource", "secondary").counter().count()).isEqualTo(4);
	}

	@Test
	void withNoBoundEverySlowStatementGetsItsLine() throws SQLException {
		QuerySettings settings = QuerySettings.defaults().withSlowThreshold(Duration.ZERO).withSlowLogLinesPerSecond(0);
		DataSource dataSource = wrapped(settings);
		try (LogCapture log = new LogCapture("dev.perfkit.query.slow")) {
			selectEachById(dataSource, 25);
			assertThat(log.lines()).hasSize(25);
		}
		assertThat(this.registry.get("perfkit.query.slow.log.suppressed").counter().count()).isZero();
	}

	@Test
	void failedStatementsAreCountedAsErrors() {
		QueryInsight insight = new QueryInsight(QuerySettings.defaults(), this.registry);
		DataSource dataSource = insight.wrap(this.pool, "primary");
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> query(dataSource, "SELECT * FROM pk5_missing"));
		assertThat(insight.snapshot().queries().get(0).errors()).isEqualTo(1);
		assertThat(this.registry.get("perfkit.query.errors").counter().count()).isEqualTo(1);
	}

	@Test
	void resetForgetsStatisticsAndSuspects() throws SQLException {
		QueryInsight insight = new QueryInsight(QuerySettings.defaults(), this.registry);
		DataSource dataSource = insight.wrap(this.pool, "primary");
		try (QueryScope scope = QueryScope.open("GET /things")) {
			selectEachById(dataSource, 5);
		}
		assertThat(insight.snapshot().queries()).isNotEmpty();
		assertThat(insight.snapshot().nPlusOneSuspects()).isNotEmpty();
		insight.reset();
		assertThat(insight.snapshot().queries()).isEmpty();
		assertThat(insight.snapshot().nPlusOneSuspects()).isEmpty();
		query(dataSource, "SELECT 1");
		assertThat(insight.snapshot().queries()).singleElement().extracting(QueryStatisticsSnapshot.Query::count)
			.isEqualTo(1L);
	}

	@Test
	void parametersAreMaskedByDefault() throws SQLException {
		DataSource dataSource = wrapped(QuerySettings.defaults().withSlowThreshold(Duration.ZERO));
		try (LogCapture log = new LogCapture("dev.perfkit.query.slow")) {
			selectByPassword(dataSource, "hunter2");
			assertThat(log.lines()).singleElement().asString().doesNotContain("hunter2").contains("masked");
		}
	}

	@Test
	void loggedParametersHideRedactedColumnsAndTruncateLongValues() throws SQLException {
		DataSource dataSource = wrapped(QuerySettings.defaults()
			.withSlowThreshold(Duration.ZERO)
			.withParameterLogging(Set.of("password"), 5));
		try (LogCapture log = new LogCapture("dev.perfkit.query.slow");
				Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection
					.prepareStatement("SELECT id FROM " + this.table + " WHERE name = ? AND password = ?")) {
			statement.setString(1, "a-rather-long-name");
			statement.setString(2, "hunter2");
			statement.executeQuery().close();
			assertThat(log.lines()).singleElement()
				.asString()
				.contains("1='a-rat...' (18 chars)", "2=<redacted>")
				.doesNotContain("hunter2");
		}
	}

	@Test
	void theSameStatementWithDifferentParametersInOneScopeIsReportedOnceWithItsCount() throws SQLException {
		QueryInsight insight = new QueryInsight(QuerySettings.defaults(), this.registry);
		DataSource dataSource = insight.wrap(this.pool, "primary");
		try (LogCapture log = new LogCapture("dev.perfkit.query.n-plus-one")) {
			try (QueryScope scope = QueryScope.open("GET /orders")) {
				selectEachById(dataSource, 10);
			}
			assertThat(log.lines()).singleElement().asString().contains("GET /orders", "10 executions",
					getClass().getName() + ".selectEachById");
			try (QueryScope scope = QueryScope.open("GET /orders")) {
				selectEachById(dataSource, 10);
			}
			assertThat(log.lines()).hasSize(1);
		}
		assertThat(insight.snapshot().nPlusOneSuspects()).singleElement().satisfies((suspect) -> {
			assertThat(suspect.entryPoint()).isEqualTo("GET /orders");
			assertThat(suspect.lastCount()).isEqualTo(10);
			assertThat(suspect.occurrences()).isEqualTo(2);
			assertThat(suspect.caller()).contains("selectEachById");
		});
		assertThat(this.registry.get("perfkit.query.n-plus-one").counter().count()).isEqualTo(2);
	}

	@Test
	void theSameParametersRepeatedOrStatementsOutsideAScopeAreNoNPlusOne() throws SQLException {
		QueryInsight insight = new QueryInsight(QuerySettings.defaults(), this.registry);
		DataSource dataSource = insight.wrap(this.pool, "primary");
		try (QueryScope scope = QueryScope.open("GET /same")) {
			for (int i = 0; i < 10; i++) {
				selectByPassword(dataSource, "same");
			}
		}
		selectEachById(dataSource, 10);
		assertThat(insight.snapshot().nPlusOneSuspects()).isEmpty();
	}

	@Test
	void strictModeThrowsAtTheStatementThatReachesTheThreshold() {
		DataSource dataSource = wrapped(QuerySettings.defaults().withNPlusOne(3, true));
		try (QueryScope scope = QueryScope.open("GET /strict")) {
			assertThatExceptionOfType(NPlusOneException.class).isThrownBy(() -> selectEachById(dataSource, 5))
				.withMessageContaining("GET /strict")
				.withMessageContaining("3 x select");
		}
	}

	@Test
	void queryCaptureCountsStatementsAndFindsNPlusOne() throws SQLException {
		DataSource dataSource = wrapped(QuerySettings.defaults());
		try (QueryScope request = QueryScope.open("GET /outer");
				QueryCapture capture = QueryCapture.start()) {
			query(dataSource, "SELECT 1");
			capture.assertStatementCount(1);
			capture.assertNoNPlusOne();
			selectEachById(dataSource, 6);
			assertThat(capture.statementCount()).isEqualTo(7);
			assertThatExceptionOfType(AssertionError.class).isThrownBy(capture::assertNoNPlusOne)
				.withMessageContaining("6 x select id from");
			assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> capture.assertStatementCount(2))
				.withMessageContaining("Expected 2 statements but 7 ran");
		}
		assertThat(QueryScope.currentEntryPoint()).isNull();
	}

	@Test
	void aDefaultTimeoutIsAppliedToStatementsWithoutOne() throws SQLException {
		DataSource dataSource = wrapped(QuerySettings.defaults().withTimeout(Duration.ofSeconds(1)));
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			// PostgreSQL cancels with 57014, MariaDB interrupts with 70100 (max_statement_time exceeded).
			String cancelled = (this.server == TestServer.MARIADB) ? "70100" : "57014";
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> statement.execute(this.server.sleep(3)))
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo(cancelled));
		}
	}

	@Test
	void theIssuesSecretsStayOutOfTheSlowLogOnEachServer() throws SQLException {
		QueryInsight insight = new QueryInsight(QuerySettings.defaults().withSlowThreshold(Duration.ZERO), this.registry);
		DataSource dataSource = insight.wrap(this.pool, "primary");
		// Each server's own way of quoting: read in the dialect told by the connection's metadata.
		String sql = (this.server == TestServer.MARIADB)
				? "select \"secret@example.com\" as e, 'xyzzy\\'s' as q, 'hunter2' as pw, " + this.server.sleep(0.01).substring(7)
				: "select 'C:\\' as p, 'hunter2' as pw, $$secret@example.com$$ as e, E'xyzzy\\'s' as q";
		try (LogCapture log = new LogCapture("dev.perfkit.query.slow")) {
			query(dataSource, sql);
			assertThat(log.lines()).singleElement()
				.asString()
				.doesNotContain("hunter2")
				.doesNotContain("secret@example.com")
				.doesNotContain("xyzzy");
		}
		assertThat(insight.snapshot().queries()).singleElement()
			.satisfies((query) -> assertThat(query.sql()).doesNotContain("hunter2").doesNotContain("secret"));
	}

	@Test
	void loggedParametersOfAMultiRowInsertHideTheRedactedColumnInEveryRow() throws SQLException {
		DataSource dataSource = wrapped(QuerySettings.defaults()
			.withSlowThreshold(Duration.ZERO)
			.withParameterLogging(Set.of("password"), 64));
		try (LogCapture log = new LogCapture("dev.perfkit.query.slow");
				Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement("INSERT INTO " + this.table
						+ " (id, name, password) VALUES (?, 'admin', ?), (?, ?, ?)")) {
			statement.setInt(1, 101);
			statement.setString(2, "hunter2");
			statement.setInt(3, 102);
			statement.setString(4, "bob");
			statement.setString(5, "swordfish");
			statement.executeUpdate();
			assertThat(log.lines()).singleElement()
				.asString()
				.contains("1='101'", "2=<redacted>", "3='102'", "4='bob'", "5=<redacted>")
				.doesNotContain("hunter2")
				.doesNotContain("swordfish");
		}
	}

	private void selectEachById(DataSource dataSource, int count) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection
					.prepareStatement("SELECT id FROM " + this.table + " WHERE id = ?")) {
			for (int i = 1; i <= count; i++) {
				statement.setInt(1, i);
				statement.executeQuery().close();
			}
		}
	}

	private void selectByPassword(DataSource dataSource, String password) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection
					.prepareStatement("SELECT id FROM " + this.table + " WHERE password = ?")) {
			statement.setString(1, password);
			statement.executeQuery().close();
		}
	}

	private static void runIn(Connection connection, String sql, int... ids) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			for (int i = 0; i < ids.length; i++) {
				statement.setInt(i + 1, ids[i]);
			}
			statement.executeQuery().close();
		}
	}

	private static void query(DataSource dataSource, String sql) throws SQLException {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

}
