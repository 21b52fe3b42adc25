package dev.perfkit.test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestPostgresIntegrationTests {

	@Test
	void roundTripsARowThroughPostgres() throws Exception {
		PostgresDatabase database = TestPostgres.get();
		database.execute("CREATE TABLE IF NOT EXISTS perfkit_support_check (id int PRIMARY KEY, name text)");
		database.execute("DELETE FROM perfkit_support_check");
		try (Connection connection = database.connect()) {
			try (PreparedStatement insert = connection
				.prepareStatement("INSERT INTO perfkit_support_check (id, name) VALUES (?, ?)")) {
				insert.setInt(1, 1);
				insert.setString(2, "perfkit");
				insert.executeUpdate();
			}
			try (PreparedStatement select = connection.prepareStatement("SELECT name FROM perfkit_support_check WHERE id = 1");
					ResultSet rows = select.executeQuery()) {
				assertThat(rows.next()).isTrue();
				assertThat(rows.getString(1)).isEqualTo("perfkit");
				assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
			}
		}
		finally {
			database.execute("DROP TABLE IF EXISTS perfkit_support_check");
		}
	}

	@Test
	void createsSiblingDatabases() throws Exception {
		PostgresDatabase replica = TestPostgres.get().sibling("perfkit_support_sibling");
		try (Connection connection = replica.connect()) {
			assertThat(connection.getCatalog()).isEqualTo("perfkit_support_sibling");
		}
	}

}
