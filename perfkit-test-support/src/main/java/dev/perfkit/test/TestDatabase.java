package dev.perfkit.test;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A database on a real server that a test may use: {@link PostgresDatabase} or
 * {@link MariaDbDatabase}.
 */
public interface TestDatabase {

	/**
	 * Return the JDBC URL.
	 * @return the URL
	 */
	String jdbcUrl();

	/**
	 * Return the user name.
	 * @return the user name
	 */
	String username();

	/**
	 * Return the password.
	 * @return the password, empty when none is needed
	 */
	String password();

	/**
	 * Open a plain JDBC connection, outside any pool.
	 * @return a new connection
	 * @throws SQLException when the server refuses it
	 */
	Connection connect() throws SQLException;

	/**
	 * Run one statement on a connection of its own.
	 * @param sql the statement
	 */
	void execute(String sql);

	/**
	 * Return a sibling database on the same server, creating it when it does not exist
	 * (a read replica's stand-in, for example).
	 * @param name the database name: lower-case letters, digits and underscores
	 * @return the sibling database
	 */
	TestDatabase sibling(String name);

}
