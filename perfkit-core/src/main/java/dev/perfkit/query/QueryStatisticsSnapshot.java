package dev.perfkit.query;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An immutable view of the query statistics, for the actuator endpoint: the fingerprints
 * with the largest total time first, with their full normalized SQL, and the N+1 suspects.
 *
 * @param takenAt when the snapshot was taken
 * @param queries the statistics per data source and fingerprint, largest total first
 * @param nPlusOneSuspects the N+1 suspects seen since the last reset
 * @param plans the plans of slow SELECT statements, when EXPLAIN is on
 */
public record QueryStatisticsSnapshot(Instant takenAt, List<Query> queries, List<NPlusOneSuspect> nPlusOneSuspects,
		List<ExplainedPlan> plans) {

	/**
	 * Return the statistics of one fingerprint.
	 * @param dataSource the data source name
	 * @param fingerprintId the fingerprint id
	 * @return the statistics, or {@code null}
	 */
	public Query query(String dataSource, String fingerprintId) {
		return this.queries.stream()
			.filter((query) -> query.dataSource().equals(dataSource) && query.id().equals(fingerprintId))
			.findFirst()
			.orElse(null);
	}

	/**
	 * Statistics of one fingerprint on one data source.
	 *
	 * @param dataSource the data source name
	 * @param id the fingerprint's short id, {@code overflow} for the overflow bucket
	 * @param sql the normalized SQL
	 * @param count executions
	 * @param errors failed executions
	 * @param total total time
	 * @param mean mean time
	 * @param max longest time
	 * @param p50 median, from a log-linear histogram (within 12.5%)
	 * @param p95 95th percentile
	 * @param p99 99th percentile
	 */
	public record Query(String dataSource, String id, String sql, long count, long errors, Duration total,
			Duration mean, Duration max, Duration p50, Duration p95, Duration p99) {

		/**
		 * Whether this is the overflow bucket.
		 * @return {@code true} for statements past the fingerprint bound
		 */
		public boolean overflow() {
			return Fingerprint.OVERFLOW.id().equals(this.id);
		}

	}

}
