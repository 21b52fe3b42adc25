package dev.perfkit.report;

/**
 * The thresholds of the report: how many queries to list, and how much evidence a
 * recommendation needs before it fires (so a handful of requests after startup never
 * produces advice).
 *
 * @param topQueries how many queries each top list holds
 * @param minCacheGets gets a cache needs before its hit rate is judged
 * @param lowHitRate a hit rate below this is reported (0..1)
 * @param minRateLimitRequests requests a tier and plan needs before its rejections are judged
 * @param highRejectionRate a rejection rate above this is reported (0..1)
 * @param minQueries queries a data source needs before its slow-query rate is judged
 * @param poolSaturation pool pressure at or above this makes the application degraded (0..1)
 */
public record ReportSettings(int topQueries, long minCacheGets, double lowHitRate, long minRateLimitRequests,
		double highRejectionRate, long minQueries, double poolSaturation) {

	/**
	 * Validate the settings.
	 */
	public ReportSettings {
		if (topQueries < 1) {
			throw new IllegalArgumentException("topQueries must be at least 1, was " + topQueries);
		}
		requireFraction("lowHitRate", lowHitRate);
		requireFraction("highRejectionRate", highRejectionRate);
		requireFraction("poolSaturation", poolSaturation);
	}

	/**
	 * The defaults: top 10 queries, 100 gets, 50% hit rate, 100 requests, 20% rejections,
	 * 50 queries, 90% pool pressure.
	 * @return the default settings
	 */
	public static ReportSettings defaults() {
		return new ReportSettings(10, 100, 0.5, 100, 0.2, 50, 0.9);
	}

	private static void requireFraction(String name, double value) {
		if (!(value >= 0 && value <= 1)) {
			throw new IllegalArgumentException(name + " must be between 0 and 1, was " + value);
		}
	}

}
