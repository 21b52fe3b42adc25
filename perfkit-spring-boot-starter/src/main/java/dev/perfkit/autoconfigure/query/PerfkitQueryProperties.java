package dev.perfkit.autoconfigure.query;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.perfkit.query.SqlDialect;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of perfkit's database insight.
 */
@ConfigurationProperties("perfkit.query")
public class PerfkitQueryProperties {

	/**
	 * Whether DataSource beans are wrapped for query statistics, the slow-query log and N+1
	 * detection.
	 */
	private boolean enabled = true;

	/**
	 * Statements that take at least this long are logged as slow, with their real
	 * duration.
	 */
	private Duration slowThreshold = Duration.ofMillis(100);

	/**
	 * Most slow-query lines written per second, for all data sources together; the next
	 * line written says how many were not (they are also counted by the
	 * perfkit.query.slow.log.suppressed counter). 0 writes every line.
	 */
	private int slowLogLinesPerSecond = 10;

	/**
	 * Hard bound on distinct statement fingerprints kept per data source; further
	 * statements are counted in an overflow bucket.
	 */
	private int maxFingerprints = 500;

	/**
	 * How many fingerprints per data source get a fingerprint tag of their own on the
	 * perfkit.query.duration timer; the others share the tag value 'other'.
	 */
	private int maxTaggedFingerprints = 20;

	/**
	 * Whether slow-query lines show bind parameters. Off by default: parameters are
	 * masked and the normalized SQL is shown.
	 */
	private boolean logParameters = false;

	/**
	 * Column names whose bound values are never shown, even with parameter logging on.
	 */
	private Set<String> redactedParameters = new LinkedHashSet<>(List.of("password", "secret", "token"));

	/**
	 * Longer parameter values are truncated in the slow-query log.
	 */
	private int maxParameterLength = 64;

	/**
	 * Default statement timeout applied to statements that have none, where the driver
	 * honours one (rounded up to whole seconds, as JDBC counts them). Unset for none.
	 */
	private Duration timeout;

	/**
	 * Names of DataSource beans that are left unwrapped.
	 */
	private List<String> excludedDataSources = new ArrayList<>();

	/**
	 * SQL dialect per DataSource bean name, overriding the one told from the JDBC URL or
	 * the connection's metadata: postgresql, mysql (also MariaDB), h2, sql-server, oracle,
	 * or unknown (masks anything any of them reads as a string; use it for servers with
	 * non-default quoting settings such as MySQL's NO_BACKSLASH_ESCAPES).
	 */
	private Map<String, SqlDialect> dialect = new LinkedHashMap<>();

	/**
	 * N+1 detection.
	 */
	private final NPlusOne nPlusOne = new NPlusOne();

	/**
	 * Pool health and leak detection.
	 */
	private final Pool pool = new Pool();

	/**
	 * Hibernate pass-through.
	 */
	private final Hibernate hibernate = new Hibernate();

	/**
	 * EXPLAIN of slow SELECT statements on PostgreSQL, MySQL and MariaDB.
	 */
	private final Explain explain = new Explain();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getSlowThreshold() {
		return this.slowThreshold;
	}

	public void setSlowThreshold(Duration slowThreshold) {
		this.slowThreshold = slowThreshold;
	}

	public int getSlowLogLinesPerSecond() {
		return this.slowLogLinesPerSecond;
	}

	public void setSlowLogLinesPerSecond(int slowLogLinesPerSecond) {
		this.slowLogLinesPerSecond = slowLogLinesPerSecond;
	}

	public int getMaxFingerprints() {
		return this.maxFingerprints;
	}

	public void setMaxFingerprints(int maxFingerprints) {
		this.maxFingerprints = maxFingerprints;
	}

	public int getMaxTaggedFingerprints() {
		return this.maxTaggedFingerprints;
	}

	public void setMaxTaggedFingerprints(int maxTaggedFingerprints) {
		this.maxTaggedFingerprints = maxTaggedFingerprints;
	}

	public boolean isLogParameters() {
		return this.logParameters;
	}

	public void setLogParameters(boolean logParameters) {
		this.logParameters = logParameters;
	}

	public Set<String> getRedactedParameters() {
		return this.redactedParameters;
	}

	public void setRedactedParameters(Set<String> redactedParameters) {
		this.redactedParameters = redactedParameters;
	}

	public int getMaxParameterLength() {
		return this.maxParameterLength;
	}

	public void setMaxParameterLength(int maxParameterLength) {
		this.maxParameterLength = maxParameterLength;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	public List<String> getExcludedDataSources() {
		return this.excludedDataSources;
	}

	public void setExcludedDataSources(List<String> excludedDataSources) {
		this.excludedDataSources = excludedDataSources;
	}

	public Map<String, SqlDialect> getDialect() {
		return this.dialect;
	}

	public void setDialect(Map<String, SqlDialect> dialect) {
		this.dialect = dialect;
	}

	public NPlusOne getNPlusOne() {
		return this.nPlusOne;
	}

	public Pool getPool() {
		return this.pool;
	}

	public Hibernate getHibernate() {
		return this.hibernate;
	}

	public Explain getExplain() {
		return this.explain;
	}

	/**
	 * N+1 detection settings.
	 */
	public static class NPlusOne {

		/**
		 * Executions of one fingerprint with different parameters within one request or
		 * transaction that make an N+1 suspect; 0 switches detection off.
		 */
		private int threshold = 5;

		/**
		 * Whether an N+1 suspect throws instead of logging a warning (for tests and
		 * development).
		 */
		private boolean strict = false;

		public int getThreshold() {
			return this.threshold;
		}

		public void setThreshold(int threshold) {
			this.threshold = threshold;
		}

		public boolean isStrict() {
			return this.strict;
		}

		public void setStrict(boolean strict) {
			this.strict = strict;
		}

	}

	/**
	 * Pool health settings.
	 */
	public static class Pool {

		/**
		 * Share of the maximum pool size in use (0 to 1) at which the pool health reports
		 * SATURATED.
		 */
		private double saturationThreshold = 1.0;

		/**
		 * Number of threads waiting for a connection, with every connection in use, at
		 * which the pool health reports SATURATED.
		 */
		private int waitingThreshold = 1;

		/**
		 * A connection held at least this long is counted as a leak suspect, with the
		 * borrowing thread's stack.
		 */
		private Duration leakThreshold = Duration.ofSeconds(30);

		public double getSaturationThreshold() {
			return this.saturationThreshold;
		}

		public void setSaturationThreshold(double saturationThreshold) {
			this.saturationThreshold = saturationThreshold;
		}

		public int getWaitingThreshold() {
			return this.waitingThreshold;
		}

		public void setWaitingThreshold(int waitingThreshold) {
			this.waitingThreshold = waitingThreshold;
		}

		public Duration getLeakThreshold() {
			return this.leakThreshold;
		}

		public void setLeakThreshold(Duration leakThreshold) {
			this.leakThreshold = leakThreshold;
		}

	}

	/**
	 * Hibernate pass-through settings.
	 */
	public static class Hibernate {

		/**
		 * Whether Hibernate's own slow-query log (hibernate.log_slow_query) is switched on
		 * with perfkit's slow threshold.
		 */
		private boolean logSlowQuery = false;

		/**
		 * Whether Hibernate statistics (hibernate.generate_statistics) are switched on.
		 */
		private boolean statistics = false;

		/**
		 * Whether every Hibernate statement starts with a static comment naming the
		 * application and the route or transaction (never a per-request id, so statement
		 * caches stay intact).
		 */
		private boolean commentTag = false;

		public boolean isLogSlowQuery() {
			return this.logSlowQuery;
		}

		public void setLogSlowQuery(boolean logSlowQuery) {
			this.logSlowQuery = logSlowQuery;
		}

		public boolean isStatistics() {
			return this.statistics;
		}

		public void setStatistics(boolean statistics) {
			this.statistics = statistics;
		}

		public boolean isCommentTag() {
			return this.commentTag;
		}

		public void setCommentTag(boolean commentTag) {
			this.commentTag = commentTag;
		}

	}

	/**
	 * EXPLAIN settings.
	 */
	public static class Explain {

		/**
		 * Whether slow SELECT statements on PostgreSQL, MySQL and MariaDB are explained
		 * (never ANALYZE), off the request thread and on a connection of their own.
		 */
		private boolean enabled = false;

		/**
		 * At most one plan per fingerprint in this interval.
		 */
		private Duration interval = Duration.ofMinutes(10);

		/**
		 * Statement timeout of the EXPLAIN itself.
		 */
		private Duration timeout = Duration.ofSeconds(2);

		/**
		 * Sequential scans of tables with at least this many estimated rows are flagged
		 * as index candidates.
		 */
		private long largeTableRows = 10_000;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public long getLargeTableRows() {
			return this.largeTableRows;
		}

		public void setLargeTableRows(long largeTableRows) {
			this.largeTableRows = largeTableRows;
		}

	}

}
