package dev.perfkit.test;

import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The PostgreSQL that perfkit's tests share.
 * <p>
 * {@code perfkit.test.postgres.host}, {@code .port}, {@code .database}, {@code .username}
 * and {@code .password} (or {@code PERFKIT_TEST_POSTGRES_*}) name a server explicitly;
 * otherwise a {@code postgres:16} container is started when Docker runs, and the local
 * server on 127.0.0.1:5432 (database {@code test}, user {@code postgres}) is used when it
 * does not.
 */
public final class TestPostgres {

	private static volatile PostgresDatabase database;

	private TestPostgres() {
	}

	/**
	 * Return the shared database, failing the test under {@code CI=true} and skipping it
	 * elsewhere when no PostgreSQL answers.
	 * @return the database
	 */
	public static PostgresDatabase get() {
		PostgresDatabase current = database;
		if (current == null) {
			synchronized (TestPostgres.class) {
				current = database;
				if (current == null) {
					current = locate();
					database = current;
				}
			}
		}
		try {
			current.connect().close();
		}
		catch (Exception ex) {
			throw ServiceLocator.unavailable("PostgreSQL", current.jdbcUrl(),
					"Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start ("
							+ ex.getMessage() + ")");
		}
		return current;
	}

	private static PostgresDatabase locate() {
		String host = ServiceLocator.setting("perfkit.test.postgres.host");
		String port = ServiceLocator.setting("perfkit.test.postgres.port");
		if (host == null && port == null && ServiceLocator.dockerAvailable()) {
			PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
			container.start();
			Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "perfkit-test-postgres-stop"));
			return new PostgresDatabase(container.getJdbcUrl(), container.getUsername(), container.getPassword());
		}
		String name = orElse(ServiceLocator.setting("perfkit.test.postgres.database"), "test");
		String url = "jdbc:postgresql://" + orElse(host, "127.0.0.1") + ":" + orElse(port, "5432") + "/" + name;
		return new PostgresDatabase(url, orElse(ServiceLocator.setting("perfkit.test.postgres.username"), "postgres"),
				orElse(ServiceLocator.setting("perfkit.test.postgres.password"), ""));
	}

	private static String orElse(String value, String fallback) {
		return (value != null) ? value : fallback;
	}

}
