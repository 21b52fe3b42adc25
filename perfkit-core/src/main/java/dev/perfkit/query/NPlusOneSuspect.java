package dev.perfkit.query;

import java.time.Instant;

/**
 * One N+1 pattern found at run time, for the actuator view.
 *
 * @param dataSource the data source name
 * @param entryPoint the request route or transaction that ran the statements
 * @param caller the application code that issued the first statement past the threshold
 * @param fingerprintId the fingerprint's short id
 * @param sql the normalized SQL
 * @param lastCount how many times the fingerprint ran in the last scope that showed it
 * @param occurrences how many scopes showed it
 * @param lastSeen when it was last seen
 */
public record NPlusOneSuspect(String dataSource, String entryPoint, String caller, String fingerprintId, String sql,
		int lastCount, long occurrences, Instant lastSeen) {
}
