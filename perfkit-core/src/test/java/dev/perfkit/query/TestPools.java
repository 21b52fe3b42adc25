package dev.perfkit.query;

import com.zaxxer.hikari.HikariDataSource;
import dev.perfkit.test.TestDatabase;

/** Small HikariCP pools on the test databases. */
public final class TestPools {

	private TestPools() {
	}

	/**
	 * Point a pool at a database.
	 * @param <T> the pool type
	 * @param pool the pool, not yet started
	 * @param database the database
	 * @param jdbcUrl the URL to use (the database's own or another)
	 * @param maximumSize the maximum pool size
	 * @return the pool
	 */
	public static <T extends HikariDataSource> T configure(T pool, TestDatabase database, String jdbcUrl,
			int maximumSize) {
		pool.setJdbcUrl(jdbcUrl);
		pool.setUsername(database.username());
		pool.setPassword(database.password());
		pool.setMaximumPoolSize(maximumSize);
		return pool;
	}

	/**
	 * Create a pool of two on a database.
	 * @param database the database
	 * @return the pool
	 */
	public static HikariDataSource of(TestDatabase database) {
		return configure(new HikariDataSource(), database, database.jdbcUrl(), 2);
	}

}
