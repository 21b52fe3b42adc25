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
 * Explains slow SELECT statements on PostgreSQL and flags sequential scans of large tables
 * as index candidates. Off by default.
 * <p>
 * <b>Implementation note.</b> The request thread only decides and enqueues: a
 * per-fingerprint deadline admits at most one plan per interval (a {@code compute} on the
 * fingerprint's entry, so two racing threads cannot both win), and the task goes to a
 * single daemon thread with a small bounded queue that drops work rather than block. That
 * thread keeps one connection of its own (never one from the application's pool, which
 * may be saturated), sets a statement timeout on it, and runs {@code EXPLAIN (FORMAT
 * JSON)} without ANALYZE, so the statement is planned but never executed. The bound values
 * are held only while the task waits in the queue.
 */
public final class PlanExplainer implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger("dev.perfkit.query.explain");

	private static final int MAX_PLANS = 100;

	private static final Pattern FILTER_COLUMN = Pattern
		.compile("([a-z_][a-z0-9_]*)\\)?(?:::[a-z ]+)?\\s*(?:=|<>|<=|>=|<|>|~~\\*?|!~~|IS\\b|= ANY)");

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
			try (PreparedStatement statement = connection.prepareStatement("EXPLAIN (FORMAT JSON) " + sql)) {
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
			collectSeqScans(connection, root.get(0).get("Plan"), candidates);
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
				Matcher matcher = FILTER_COLUMN.matcher(node.path("Filter").asString(""));
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
			try (Statement statement = connection.createStatement()) {
				statement.execute("SET statement_timeout = " + Math.max(1, this.timeout.toMillis()));
			}
			connection.setReadOnly(true);
			this.connection = connection;
		}
		return this.connection;
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
