package dev.perfkit.test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestMariaDbIntegrationTests {

	@Test
	void roundTripsARowThroughMariaDb() throws Exception {
		MariaDbDatabase database = TestMariaDb.get();
		database.execute("CREATE TABLE IF NOT EXISTS perfkit_support_check (id int PRIMARY KEY, name varchar(50))");
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
				assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("MariaDB");
			}
		}
		finally {
			database.execute("DROP TABLE IF EXISTS perfkit_support_check");
		}
	}

	@Test
	void usesTheConfiguredDatabaseAndCreatesSiblings() throws Exception {
		MariaDbDatabase database = TestMariaDb.get();
		String configured = System.getenv("PERFKIT_TEST_MARIADB_DATABASE");
		try (Connection connection = database.connect()) {
			assertThat(connection.getCatalog()).isEqualTo((configured != null) ? configured : "test");
		}
		MariaDbDatabase sibling = database.sibling("perfkit_support_sibling");
		try (Connection connection = sibling.connect()) {
			assertThat(connection.getCatalog()).isEqualTo("perfkit_support_sibling");
		}
	}

}
