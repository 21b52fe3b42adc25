package dev.perfkit.report;

/**
 * The overall verdict of a {@link PerformanceReport}, from best to worst.
 */
public enum PerformanceStatus {

	/** Score of 90 or more and nothing degraded. */
	EXCELLENT,

	/** Score of 75 to 89 and nothing degraded. */
	GOOD,

	/** Something is degraded (a breaker is open, a pool is saturated) or the score is 50 to 74. */
	DEGRADED,

	/** Score below 50. */
	CRITICAL

}
