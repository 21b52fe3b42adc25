package dev.perfkit.test;

/**
 * The database servers perfkit's database tests run on, for
 * {@code @ParameterizedTest @EnumSource(TestServer.class)}. Each names the SQL a test needs
 * that the servers spell differently.
 */
public enum TestServer {

	/** PostgreSQL, through {@link TestPostgres}. */
	POSTGRESQL("pg_sleep", "current_database()", "text") {

		@Override
		public TestDatabase database() {
			return TestPostgres.get();
		}

		@Override
		public String numbers(int count) {
			return "SELECT g FROM generate_series(1, " + count + ") g";
		}

	},

	/** MariaDB, through {@link TestMariaDb}. */
	MARIADB("sleep", "database()", "varchar(255)") {

		@Override
		public TestDatabase database() {
			return TestMariaDb.get();
		}

		@Override
		public String numbers(int count) {
			return "SELECT seq AS g FROM seq_1_to_" + count;
		}

	};

	private final String sleepFunction;

	private final String currentDatabase;

	private final String textType;

	TestServer(String sleepFunction, String currentDatabase, String textType) {
		this.sleepFunction = sleepFunction;
		this.currentDatabase = currentDatabase;
		this.textType = textType;
	}

	/**
	 * Return the shared database of this server, failing under {@code CI=true} and
	 * skipping elsewhere when the server does not answer.
	 * @return the database
	 */
	public abstract TestDatabase database();

	/**
	 * A query of one column {@code g} with the numbers 1 to {@code count}.
	 * @param count how many
	 * @return the query
	 */
	public abstract String numbers(int count);

	/**
	 * A statement that sleeps on the server.
	 * @param seconds how long
	 * @return the statement
	 */
	public String sleep(double seconds) {
		return "SELECT " + this.sleepFunction + "(" + seconds + ")";
	}

	/**
	 * The name of the server's sleep function.
	 * @return the function name
	 */
	public String sleepFunction() {
		return this.sleepFunction;
	}

	/**
	 * An expression naming the current database.
	 * @return the expression
	 */
	public String currentDatabase() {
		return this.currentDatabase;
	}

	/**
	 * A column type for short text.
	 * @return the type
	 */
	public String textType() {
		return this.textType;
	}

}
