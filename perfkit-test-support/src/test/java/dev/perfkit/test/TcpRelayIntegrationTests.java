package dev.perfkit.test;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class TcpRelayIntegrationTests {

	@Test
	void relaysToPostgresAndClosingBreaksTheLiveConnectionAndRefusesNewOnes() throws Exception {
		PostgresDatabase database = TestPostgres.get();
		URI uri = URI.create(database.jdbcUrl().substring("jdbc:".length()));
		String url;
		try (TcpRelay relay = TcpRelay.to(uri.getHost(), uri.getPort())) {
			url = "jdbc:postgresql://127.0.0.1:" + relay.port() + uri.getPath();
			try (Connection connection = DriverManager.getConnection(url, database.username(), database.password())) {
				assertThat(selectOne(connection)).isEqualTo(1);
				assertThat(relay.liveConnections()).isEqualTo(1);
				relay.close();
				assertThatExceptionOfType(SQLException.class).isThrownBy(() -> selectOne(connection))
					.satisfies((ex) -> assertThat(ex.getSQLState()).startsWith("08"));
			}
			assertThat(relay.relayedConnections()).isEqualTo(1);
			assertThat(relay.liveConnections()).isZero();
		}
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> DriverManager.getConnection(url, database.username(), database.password()).close());
	}

	private static int selectOne(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("SELECT 1")) {
			rows.next();
			return rows.getInt(1);
		}
	}

}
