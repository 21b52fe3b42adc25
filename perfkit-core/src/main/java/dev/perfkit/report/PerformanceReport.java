package dev.perfkit.report;

import java.time.Instant;
import java.util.List;

/**
 * One immutable view of the application's performance, built by
 * {@link PerformanceReportEngine}. The same figures are in {@code /actuator/prometheus};
 * counts are since the last reset (see {@link PerformanceReportEngine#reset()}).
 *
 * @param generatedAt when the report was built
 * @param status the verdict
 * @param score 0 to 100; 100 minus the {@link #penalties()}
 * @param penalties the points taken off and why
 * @param cache the cache section
 * @param rateLimit the rate-limit section
 * @param queries the query section
 * @param pool the connection-pool section
 * @param recommendations concrete advice with evidence: pools first, then caches, queries and rate limits
 * @param degraded whether the application runs degraded, and why
 */
public record PerformanceReport(Instant generatedAt, PerformanceStatus status, int score, List<Penalty> penalties,
		CacheSection cache, RateLimitSection rateLimit, QuerySection queries, PoolSection pool,
		List<Recommendation> recommendations, Degradation degraded) {

	/**
	 * Create a report, copying its lists.
	 */
	public PerformanceReport {
		penalties = List.copyOf(penalties);
		recommendations = List.copyOf(recommendations);
	}

}
