package dev.perfkit.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.perfkit.query.TestPools;
import dev.perfkit.test.PostgresDatabase;
import dev.perfkit.test.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Read-only transactions on a replica (a second PostgreSQL database), read-write ones on
 * the primary, and the fallback while the replica is down.
 */
class ReplicaRoutingIntegrationTests {

	private HikariDataSource primary;

	private HikariDataSource replica;

	@AfterEach
	void closePools() {
		this.primary.close();
		this.replica.close();
	}

	@Test
	void aReadOnlyTransactionRunsOnTheReplicaAndAReadWriteOneOnThePrimary() {
		PostgresDatabase database = TestPostgres.get();
		this.primary = pool(database.jdbcUrl(), database);
		this.replica = pool(database.sibling("perfkit_replica").jdbcUrl(), database);
		DataSource routing = ReplicaRouting.route(this.primary, this.replica, Duration.ofSeconds(5));
		assertThat(currentDatabase(routing, true)).isEqualTo("perfkit_replica");
		assertThat(currentDatabase(routing, false)).isNotEqualTo("perfkit_replica");
	}

	@Test
	void readOnlyWorkFallsBackToThePrimaryWhileTheReplicaIsDown() throws IOException {
		PostgresDatabase database = TestPostgres.get();
		this.primary = pool(database.jdbcUrl(), database);
		this.replica = pool("jdbc:postgresql://127.0.0.1:" + closedPort() + "/nothing", database);
		ReplicaFallbackDataSource fallback = new ReplicaFallbackDataSource(this.replica, this.primary,
				Duration.ofMinutes(1));
		DataSource routing = ReplicaRouting.route(this.primary, fallback);
		String primaryName = currentDatabase(routing, false);
		assertThat(currentDatabase(routing, true)).isEqualTo(primaryName);
		assertThat(currentDatabase(routing, true)).isEqualTo(primaryName);
		assertThat(fallback.replicaDown()).isTrue();
		assertThat(fallback.fallbacks()).isEqualTo(2);
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static String currentDatabase(DataSource dataSource, boolean readOnly) {
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		transaction.setReadOnly(readOnly);
		return transaction.execute((status) -> new JdbcTemplate(dataSource)
			.queryForObject("SELECT current_database()", String.class));
	}

	private static HikariDataSource pool(String url, PostgresDatabase database) {
		HikariDataSource pool = TestPools.configure(new HikariDataSource(), database, url, 2);
		pool.setConnectionTimeout(1000);
		return pool;
	}

}
