package dev.perfkit.query;

import java.time.Instant;
import java.util.List;

/**
 * The plan PostgreSQL chose for a slow SELECT (EXPLAIN, never ANALYZE), for the actuator
 * view.
 *
 * @param dataSource the data source name
 * @param fingerprintId the fingerprint's short id
 * @param sql the normalized SQL
 * @param plan the plan as PostgreSQL's JSON
 * @param indexCandidates sequential scans of large tables, each as a sentence
 * @param explainedAt when the plan was taken
 */
public record ExplainedPlan(String dataSource, String fingerprintId, String sql, String plan,
		List<String> indexCandidates, Instant explainedAt) {
}
