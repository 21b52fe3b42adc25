package dev.perfkit.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.proxy.ParameterSetOperation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Explains slow SELECT statements on PostgreSQL, MySQL and MariaDB and flags full scans of
 * large tables as index candidates. Off by default.
 * <p>
 * <b>Implementation note.</b> The request thread only decides and enqueues: a
 * per-fingerprint deadline admits at most one plan per interval (a {@code compute} on the
 * fingerprint's entry, so two racing threads cannot both win), and the task goes to a
 * single daemon thread with a small bounded queue that drops work rather than block. That
 * thread keeps one connection of its own (never one from the application's pool, which
 * may be saturated), sets a statement timeout on it, and runs {@code EXPLAIN (FORMAT
 * JSON)} (PostgreSQL) or {@code EXPLAIN FORMAT=JSON} (MySQL, MariaDB) without ANALYZE, so
 * the statement is planned but never executed. The bound values are held only while the
 * task waits in the queue. Index candidates name tables and filtered columns only: the
 * plan's filter text is normalized (literals masked) before column names are read from it.
 */
public final class PlanExplainer implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger("dev.perfkit.query.explain");

	private static final int MAX_PLANS = 100;

	private static final Pattern FILTER_COLUMN = Pattern
		.compile("([a-z_][a-z0-9_]*)\\)?(?:::[a-z ]+)?\\s*(?:=|<>|<=|>=|<|>|~~\\*?|!~~|IS\\b|= ANY)");

	private static final Pattern CONDITION_COLUMN = Pattern.compile(
			"`?([A-Za-z_][A-Za-z0-9_$]*)`?\\s*(?:=|<>|!=|<=>|<=|>=|<|>|(?i:like|is|in|between|not)\\b)");


	private final SqlDialect dialect;

	private final String dataSource;

	private final ConnectionFactory connections;

	private final Duration interval;

	private final Duration timeout;

	private final long largeTableRows;

	private final ThreadPoolExecutor executor;

	private final ConcurrentHashMap<String, Long> nextAllowed = new ConcurrentHashMap<>();

	private final ConcurrentLinkedDeque<ExplainedPlan> plans = new ConcurrentLinkedDeque<>();

	private final JsonMapper json = JsonMapper.builder().build();

	private Connection connection;

	/**
	 * Create an explainer.
	 * @param dataSource the data source name
	 * @param connections opens the explainer's own connection
	 * @param interval at most one plan per fingerprint in this interval
	 * @param timeout the statement timeout of each EXPLAIN
	 * @param largeTableRows sequential scans of tables with at least this many estimated
	 * rows are flagged
	 */
	public PlanExplainer(String dataSource, ConnectionFactory connections, Duration interval, Duration timeout,
			long largeTableRows) {
		this(dataSource, SqlDialect.POSTGRESQL, connections, interval, timeout, largeTableRows);
	}

	/**
	 * Create an explainer for a dialect it {@linkplain #supports(SqlDialect) supports}.
	 * @param dataSource the data source name
	 * @param dialect {@link SqlDialect#POSTGRESQL} or {@link SqlDialect#MYSQL} (also
	 * MariaDB)
	 * @param connections opens the explainer's own connection
	 * @param interval at most one plan per fingerprint in this interval
	 * @param timeout the statement timeout of each EXPLAIN
	 * @param largeTableRows full scans of tables with at least this many estimated rows
	 * are flagged
	 */
	public PlanExplainer(String dataSource, SqlDialect dialect, ConnectionFactory connections, Duration interval,
			Duration timeout, long largeTableRows) {
		if (!supports(dialect)) {
			throw new IllegalArgumentException("No EXPLAIN support for " + dialect);
		}
		this.dialect = dialect;
		this.dataSource = dataSource;
		this.connections = connections;
		this.interval = interval;
		this.timeout = timeout;
		this.largeTableRows = largeTableRows;
		this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(16),
				(task) -> {
					Thread thread = new Thread(task, "perfkit-explain-" + dataSource);
					thread.setDaemon(true);
					return thread;
				}, new ThreadPoolExecutor.DiscardPolicy());
	}

	/**
	 * Whether slow statements of a dialect can be explained.
	 * @param dialect the dialect, may be {@code null}
	 * @return {@code true} for PostgreSQL and MySQL/MariaDB
	 */
	public static boolean supports(SqlDialect dialect) {
		return dialect == SqlDialect.POSTGRESQL || dialect == SqlDialect.MYSQL;
	}

	/**
	 * Explain a slow statement unless its fingerprint was explained within the interval.
	 * Returns at once.
	 * @param fingerprint the statement's fingerprint
	 * @param query the statement and its bound values
	 */
	void offer(Fingerprint fingerprint, QueryInfo query) {
		if (this.executor.isShutdown() || this.nextAllowed.size() > 10 * MAX_PLANS
				&& !this.nextAllowed.containsKey(fingerprint.id())) {
			return;
		}
		long now = System.nanoTime();
		boolean[] admitted = new boolean[1];
		this.nextAllowed.compute(fingerprint.id(), (id, next) -> {
			if (next == null || now - next >= 0) {
				admitted[0] = true;
				return now + this.interval.toNanos();
			}
			return next;
		});
		if (admitted[0]) {
			List<Object[]> values = values(query);
			if (values != null) {
				String sql = query.getQuery();
				this.executor.execute(() -> explain(fingerprint, sql, values));
			}
		}
	}

	private static List<Object[]> values(QueryInfo query) {
		List<Object[]> values = new ArrayList<>();
		if (query.getParametersList().isEmpty()) {
			return values;
		}
		for (ParameterSetOperation operation : query.getParametersList().get(0)) {
			Object[] args = operation.getArgs();
			if (!(args[0] instanceof Integer)) {
				// Named (callable) parameters: nothing to explain.
				return null;
			}
			boolean isNull = ParameterSetOperation.isSetNullParameterOperation(operation);
			values.add(new Object[] { args[0], isNull ? null : args[1], isNull ? args[1] : null });
		}
		return values;
	}

	private synchronized void explain(Fingerprint fingerprint, String sql, List<Object[]> values) {
		try {
			Connection connection = connection();
			String planJson;
			String explain = (this.dialect == SqlDialect.MYSQL) ? "EXPLAIN FORMAT=JSON " : "EXPLAIN (FORMAT JSON) ";
			try (PreparedStatement statement = connection.prepareStatement(explain + sql)) {
				statement.setQueryTimeout((int) Math.max(1, (this.timeout.toMillis() + 999) / 1000));
				for (Object[] value : values) {
					if (value[2] instanceof Integer sqlType) {
						statement.setNull((Integer) value[0], sqlType);
					}
					else {
						statement.setObject((Integer) value[0], value[1]);
					}
				}
				try (ResultSet resultSet = statement.executeQuery()) {
					resultSet.next();
					planJson = resultSet.getString(1);
				}
			}
			List<String> candidates = new ArrayList<>();
			JsonNode root = this.json.readTree(planJson);
			if (this.dialect == SqlDialect.MYSQL) {
				collectFullScans(root, candidates);
			}
			else {
				collectSeqScans(connection, root.get(0).get("Plan"), candidates);
			}
			ExplainedPlan plan = new ExplainedPlan(this.dataSource, fingerprint.id(), fingerprint.sql(), planJson,
					List.copyOf(candidates), Instant.now());
			this.plans.addFirst(plan);
			while (this.plans.size() > MAX_PLANS) {
				this.plans.pollLast();
			}
			for (String candidate : candidates) {
				logger.warn("Index candidate on data source '{}' for [{}] (fingerprint={}): {}", this.dataSource,
						fingerprint.sql(), fingerprint.id(), candidate);
			}
		}
		catch (SQLException | RuntimeException ex) {
			logger.debug("Could not explain [{}] on data source '{}'", fingerprint.sql(), this.dataSource, ex);
			closeConnection();
		}
	}

	private void collectSeqScans(Connection connection, JsonNode node, List<String> candidates) throws SQLException {
		if (node == null) {
			return;
		}
		if ("Seq Scan".equals(node.path("Node Type").asString()) && node.has("Relation Name")) {
			String table = node.get("Relation Name").asString();
			String schema = node.path("Schema").asString("");
			long rows = estimatedRows(connection, table);
			if (rows >= this.largeTableRows) {
				// Only the column names: the filter text holds the bound values.
				Set<String> columns = new TreeSet<>();
				Matcher matcher = FILTER_COLUMN.matcher(withoutStrings(node.path("Filter").asString("")));
				while (matcher.find()) {
					columns.add(matcher.group(1));
				}
				candidates.add("sequential scan of " + (schema.isEmpty() ? "" : schema + ".") + table + " (about "
						+ rows + " rows)" + (columns.isEmpty() ? "" : " filtering on " + String.join(", ", columns))
						+ ": an index on the filtered columns may help");
			}
		}
		for (JsonNode child : node.path("Plans")) {
			collectSeqScans(connection, child, candidates);
		}
	}

	/**
	 * MySQL and MariaDB: every table accessed with {@code access_type ALL} (a full scan)
	 * whose estimated rows reach the bound, wherever it sits in the plan (nested loops,
	 * subqueries, unions).
	 */
	private void collectFullScans(JsonNode node, List<String> candidates) {
		if (node.isObject()) {
			if (node.has("table_name") && "ALL".equals(node.path("access_type").asString(""))) {
				long rows = node.has("rows") ? node.path("rows").asLong(0) : node.path("rows_examined_per_scan").asLong(0);
				if (rows >= this.largeTableRows) {
					Set<String> columns = new TreeSet<>();
					Matcher matcher = CONDITION_COLUMN.matcher(withoutStrings(node.path("attached_condition").asString("")));
					while (matcher.find()) {
						columns.add(matcher.group(1));
					}
					candidates.add("full table scan of " + node.get("table_name").asString() + " (about " + rows + " rows)"
							+ (columns.isEmpty() ? "" : " filtering on " + String.join(", ", columns))
							+ ": an index on the filtered columns may help");
				}
			}
			node.forEach((child) -> collectFullScans(child, candidates));
		}
		else if (node.isArray()) {
			node.forEach((child) -> collectFullScans(child, candidates));
		}
	}

	/** Filter text with its literals masked as the dialect reads them: they may hold bound values. */
	private String withoutStrings(String condition) {
		return SqlNormalizer.normalize(condition, this.dialect);
	}

	private static long estimatedRows(Connection connection, String table) throws SQLException {
		try (PreparedStatement statement = connection
			.prepareStatement("SELECT COALESCE(MAX(reltuples), 0)::bigint FROM pg_class WHERE relname = ?")) {
			statement.setString(1, table);
			try (ResultSet resultSet = statement.executeQuery()) {
				return resultSet.next() ? resultSet.getLong(1) : 0;
			}
		}
	}

	private Connection connection() throws SQLException {
		if (this.connection == null || this.connection.isClosed()) {
			Connection connection = this.connections.open();
			long millis = Math.max(1, this.timeout.toMillis());
			try (Statement statement = connection.createStatement()) {
				if (this.dialect == SqlDialect.MYSQL) {
					setMysqlTimeout(statement, millis);
				}
				else {
					statement.execute("SET statement_timeout = " + millis);
				}
			}
			connection.setReadOnly(true);
			this.connection = connection;
		}
		return this.connection;
	}

	/** MariaDB counts in seconds (with a fraction), MySQL in milliseconds. */
	private static void setMysqlTimeout(Statement statement, long millis) {
		try {
			statement.execute("SET SESSION max_statement_time = " + (millis / 1000.0));
		}
		catch (SQLException mariaDbOnly) {
			try {
				statement.execute("SET SESSION max_execution_time = " + millis);
			}
			catch (SQLException ex) {
				// Neither: the JDBC query timeout set on each EXPLAIN still bounds it.
			}
		}
	}

	private void closeConnection() {
		if (this.connection != null) {
			try {
				this.connection.close();
			}
			catch (SQLException ex) {
				// Already broken; nothing more to do.
			}
			this.connection = null;
		}
	}

	/**
	 * Return the plans taken, newest first.
	 * @return the plans
	 */
	public List<ExplainedPlan> plans() {
		return List.copyOf(this.plans);
	}

	void clear() {
		this.plans.clear();
		this.nextAllowed.clear();
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
		synchronized (this) {
			closeConnection();
		}
	}

	/** Opens the explainer's own connection. */
	@FunctionalInterface
	public interface ConnectionFactory {

		/**
		 * Open a new connection, outside any pool.
		 * @return the connection
		 * @throws SQLException when the database refuses it
		 */
		Connection open() throws SQLException;

	}

}
