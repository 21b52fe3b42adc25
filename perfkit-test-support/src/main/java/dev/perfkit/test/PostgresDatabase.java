package dev.perfkit.test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A PostgreSQL database that a test may use.
 *
 * @param jdbcUrl the JDBC URL
 * @param username the user name
 * @param password the password, empty under trust authentication
 */
public record PostgresDatabase(String jdbcUrl, String username, String password) implements TestDatabase {

	/**
	 * Open a plain JDBC connection, outside any pool.
	 * @return a new connection
	 * @throws SQLException when the server refuses it
	 */
	public Connection connect() throws SQLException {
		return DriverManager.getConnection(this.jdbcUrl, this.username, this.password);
	}

	/**
	 * Run one statement on a connection of its own.
	 * @param sql the statement
	 */
	public void execute(String sql) {
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Failed to run '" + sql + "' on " + this.jdbcUrl, ex);
		}
	}

	/**
	 * Return a sibling database on the same server, creating it when it does not exist
	 * (a read replica's stand-in, for example).
	 * @param name the database name: lower-case letters, digits and underscores
	 * @return the sibling database
	 */
	public PostgresDatabase sibling(String name) {
		if (!name.matches("[a-z][a-z0-9_]*")) {
			throw new IllegalArgumentException("Unsafe database name '" + name + "'");
		}
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			var exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'");
			if (!exists.next()) {
				statement.execute("CREATE DATABASE " + name);
			}
		}
		catch (SQLException ex) {
			// Two test JVMs may race to create it; the loser finds it there.
			if (!"42P04".equals(ex.getSQLState())) {
				throw new IllegalStateException("Failed to create database " + name, ex);
			}
		}
		int slash = this.jdbcUrl.lastIndexOf('/');
		int query = this.jdbcUrl.indexOf('?', slash);
		String url = this.jdbcUrl.substring(0, slash + 1) + name + ((query >= 0) ? this.jdbcUrl.substring(query) : "");
		return new PostgresDatabase(url, this.username, this.password);
	}

}
