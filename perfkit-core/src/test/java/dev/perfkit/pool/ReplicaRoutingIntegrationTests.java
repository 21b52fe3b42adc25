package dev.perfkit.pool;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.perfkit.query.TestPools;
import dev.perfkit.test.TestDatabase;
import dev.perfkit.test.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Read-only transactions on a replica (a second database on the same server), read-write
 * ones on the primary, and the fallback while the replica is down; on PostgreSQL and on
 * MariaDB.
 */
@ParameterizedClass
@EnumSource(TestServer.class)
class ReplicaRoutingIntegrationTests {

	@Parameter
	TestServer server;

	private HikariDataSource primary;

	private HikariDataSource replica;

	@AfterEach
	void closePools() {
		this.primary.close();
		this.replica.close();
	}

	@Test
	void aReadOnlyTransactionRunsOnTheReplicaAndAReadWriteOneOnThePrimary() {
		TestDatabase database = this.server.database();
		this.primary = pool(database.jdbcUrl(), database);
		this.replica = pool(database.sibling("perfkit_replica").jdbcUrl(), database);
		DataSource routing = ReplicaRouting.route(this.primary, this.replica, Duration.ofSeconds(5));
		assertThat(currentDatabase(routing, true)).isEqualTo("perfkit_replica");
		assertThat(currentDatabase(routing, false)).isNotEqualTo("perfkit_replica");
	}

	@Test
	void readOnlyWorkFallsBackToThePrimaryWhileTheReplicaIsDown() throws IOException {
		TestDatabase database = this.server.database();
		this.primary = pool(database.jdbcUrl(), database);
		String scheme = database.jdbcUrl().substring(0, database.jdbcUrl().indexOf("//"));
		this.replica = pool(scheme + "//127.0.0.1:" + closedPort() + "/nothing", database);
		ReplicaFallbackDataSource fallback = new ReplicaFallbackDataSource(this.replica, this.primary,
				Duration.ofMinutes(1));
		DataSource routing = ReplicaRouting.route(this.primary, fallback);
		String primaryName = currentDatabase(routing, false);
		assertThat(currentDatabase(routing, true)).isEqualTo(primaryName);
		assertThat(currentDatabase(routing, true)).isEqualTo(primaryName);
		assertThat(fallback.replicaDown()).isTrue();
		assertThat(fallback.fallbacks()).isEqualTo(2);
	}

	@Test
	void aWatchTellsAReplicaConnectionFromTheFallbackAndMarkDownSendsReadOnlyWorkToThePrimary() {
		TestDatabase database = this.server.database();
		this.primary = pool(database.jdbcUrl(), database);
		this.replica = pool(database.sibling("perfkit_replica").jdbcUrl(), database);
		ReplicaFallbackDataSource fallback = new ReplicaFallbackDataSource(this.replica, this.primary,
				Duration.ofMinutes(1));
		DataSource routing = ReplicaRouting.route(this.primary, fallback);
		try (ReplicaFallbackDataSource.ReplicaUse outer = fallback.watch()) {
			try (ReplicaFallbackDataSource.ReplicaUse readWrite = fallback.watch()) {
				assertThat(currentDatabase(routing, false)).isNotEqualTo("perfkit_replica");
				assertThat(readWrite.tookReplicaConnection()).isFalse();
			}
			assertThat(outer.tookReplicaConnection()).isFalse();
			try (ReplicaFallbackDataSource.ReplicaUse readOnly = fallback.watch()) {
				assertThat(currentDatabase(routing, true)).isEqualTo("perfkit_replica");
				assertThat(readOnly.tookReplicaConnection()).isTrue();
			}
			// A nested watch's finding reaches the one around it.
			assertThat(outer.tookReplicaConnection()).isTrue();
		}
		fallback.markDown(new IllegalStateException("gone"));
		assertThat(fallback.replicaDown()).isTrue();
		try (ReplicaFallbackDataSource.ReplicaUse afterMark = fallback.watch()) {
			assertThat(currentDatabase(routing, true)).isNotEqualTo("perfkit_replica");
			assertThat(afterMark.tookReplicaConnection()).isFalse();
		}
		assertThat(fallback.fallbacks()).isEqualTo(1);
	}

	/**
	 * A caller that started waiting for a replica connection before the replica was marked
	 * down and gets one afterwards does not clear the mark: under a busy replica pool one
	 * caller's timeout marks it down while others still waiting get a connection, and when
	 * each of those cleared the mark read-only work went back to the replica (and its 1 s
	 * wait) at once: 26 marks and 27 clears in 48 s in the load run
	 * (docs/load-testing.md#where-the-mixs-time-goes-perfkit-on-against-off).
	 */
	@Test
	void aReplicaConnectionGivenToACallerWaitingBeforeTheMarkDoesNotClearIt() throws Exception {
		TestDatabase database = this.server.database();
		this.primary = pool(database.jdbcUrl(), database);
		this.replica = pool(database.sibling("perfkit_replica").jdbcUrl(), database);
		this.replica.setConnectionTimeout(Duration.ofSeconds(30).toMillis());
		ReplicaFallbackDataSource fallback = new ReplicaFallbackDataSource(this.replica, this.primary,
				Duration.ofMinutes(1));
		Connection first = this.replica.getConnection();
		Connection second = this.replica.getConnection();
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			Future<Connection> waiting = executor.submit(() -> fallback.getConnection());
			await().atMost(Duration.ofSeconds(20))
				.until(() -> this.replica.getHikariPoolMXBean().getThreadsAwaitingConnection() == 1);
			fallback.markDown(new SQLTransientConnectionException("replica - Connection is not available"));
			first.close();
			try (Connection fromReplica = waiting.get(20, TimeUnit.SECONDS)) {
				assertThat(fromReplica.isValid(1)).isTrue();
			}
			assertThat(fallback.replicaDown()).isTrue();
			try (Connection connection = fallback.getConnection()) {
				assertThat(connection.isValid(1)).isTrue();
			}
			assertThat(fallback.fallbacks()).isEqualTo(1);
		}
		finally {
			second.close();
			executor.shutdownNow();
		}
	}

	@Test
	void aConnectionForOtherCredentialsAlsoFallsBackToThePrimaryWhileTheReplicaIsDown() throws Exception {
		TestDatabase database = this.server.database();
		// Driver data sources: HikariCP pools do not take credentials per connection.
		DriverManagerDataSource primary = new DriverManagerDataSource(database.jdbcUrl());
		String scheme = database.jdbcUrl().substring(0, database.jdbcUrl().indexOf("//"));
		DriverManagerDataSource replica = new DriverManagerDataSource(scheme + "//127.0.0.1:" + closedPort() + "/nothing");
		ReplicaFallbackDataSource fallback = new ReplicaFallbackDataSource(replica, primary, Duration.ofMinutes(1));
		DataSource routing = ReplicaRouting.route(primary, fallback);
		// Pools for @AfterEach; unused here.
		this.primary = pool(database.jdbcUrl(), database);
		this.replica = pool(database.jdbcUrl(), database);
		try (Connection connection = routing.getConnection(database.username(), database.password())) {
			connection.setReadOnly(true);
			try (Statement statement = connection.createStatement();
					ResultSet resultSet = statement.executeQuery("SELECT " + this.server.currentDatabase())) {
				resultSet.next();
				assertThat(resultSet.getString(1)).isNotEqualTo("nothing");
			}
		}
		assertThat(fallback.replicaDown()).isTrue();
		assertThat(fallback.fallbacks()).isEqualTo(1);
		try (Connection connection = fallback.getConnection(database.username(), database.password())) {
			assertThat(connection.isValid(1)).isTrue();
		}
		assertThat(fallback.fallbacks()).isEqualTo(2);
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private String currentDatabase(DataSource dataSource, boolean readOnly) {
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		transaction.setReadOnly(readOnly);
		return transaction.execute((status) -> new JdbcTemplate(dataSource)
			.queryForObject("SELECT " + this.server.currentDatabase(), String.class));
	}

	private static HikariDataSource pool(String url, TestDatabase database) {
		HikariDataSource pool = TestPools.configure(new HikariDataSource(), database, url, 2);
		pool.setConnectionTimeout(1000);
		return pool;
	}

}
