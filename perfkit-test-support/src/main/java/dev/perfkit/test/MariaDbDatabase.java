package dev.perfkit.test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A MariaDB (or MySQL) database that a test may use.
 *
 * @param jdbcUrl the JDBC URL
 * @param username the user name
 * @param password the password, empty when none is needed
 */
public record MariaDbDatabase(String jdbcUrl, String username, String password) implements TestDatabase {

	@Override
	public Connection connect() throws SQLException {
		return DriverManager.getConnection(this.jdbcUrl, this.username, this.password);
	}

	@Override
	public void execute(String sql) {
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Failed to run '" + sql + "' on " + this.jdbcUrl, ex);
		}
	}

	@Override
	public MariaDbDatabase sibling(String name) {
		if (!name.matches("[a-z][a-z0-9_]*")) {
			throw new IllegalArgumentException("Unsafe database name '" + name + "'");
		}
		execute("CREATE DATABASE IF NOT EXISTS " + name);
		int slash = this.jdbcUrl.lastIndexOf('/');
		int query = this.jdbcUrl.indexOf('?', slash);
		String url = this.jdbcUrl.substring(0, slash + 1) + name + ((query >= 0) ? this.jdbcUrl.substring(query) : "");
		return new MariaDbDatabase(url, this.username, this.password);
	}

}
