package dev.perfkit.test;

/**
 * The MariaDB that perfkit's tests share.
 * <p>
 * {@code perfkit.test.mariadb.host}, {@code .port}, {@code .database}, {@code .username}
 * and {@code .password} (or {@code PERFKIT_TEST_MARIADB_*}) name a server explicitly;
 * otherwise the local server on 127.0.0.1:3306 (database {@code test}, user {@code root},
 * empty password) is used. A MySQL server at that address works the same way.
 */
public final class TestMariaDb {

	private static volatile MariaDbDatabase database;

	private TestMariaDb() {
	}

	/**
	 * Return the shared database, failing the test under {@code CI=true} and skipping it
	 * elsewhere when no MariaDB answers.
	 * @return the database
	 */
	public static MariaDbDatabase get() {
		MariaDbDatabase current = database;
		if (current == null) {
			current = locate();
			database = current;
		}
		try {
			current.connect().close();
		}
		catch (Exception ex) {
			throw ServiceLocator.unavailable("MariaDB", current.jdbcUrl(),
					"Start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd ("
							+ ex.getMessage() + ")");
		}
		return current;
	}

	private static MariaDbDatabase locate() {
		String host = orElse(ServiceLocator.setting("perfkit.test.mariadb.host"), "127.0.0.1");
		String port = orElse(ServiceLocator.setting("perfkit.test.mariadb.port"), "3306");
		String name = orElse(ServiceLocator.setting("perfkit.test.mariadb.database"), "test");
		String url = "jdbc:mariadb://" + host + ":" + port + "/" + name;
		return new MariaDbDatabase(url, orElse(ServiceLocator.setting("perfkit.test.mariadb.username"), "root"),
				orElse(ServiceLocator.setting("perfkit.test.mariadb.password"), ""));
	}

	private static String orElse(String value, String fallback) {
		return (value != null) ? value : fallback;
	}

}
