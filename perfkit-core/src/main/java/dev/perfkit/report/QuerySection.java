package dev.perfkit.report;

import java.util.List;
import java.util.Map;

/**
 * The query section, from {@code perfkit.query.*}.
 *
 * @param datasources figures per data source
 * @param topByTotalTime the fingerprints that took the most time altogether
 * @param topByP95 the fingerprints with the highest 95th percentile (their maximum when
 * the timer publishes neither percentiles nor a histogram)
 * @param topByCount the fingerprints run most often
 * @param details what the database engine added, such as N+1 suspects with their caller
 */
public record QuerySection(List<Datasource> datasources, List<Query> topByTotalTime, List<Query> topByP95,
		List<Query> topByCount, Map<String, Object> details) {

	/**
	 * Create a section, copying its parts.
	 */
	public QuerySection {
		datasources = List.copyOf(datasources);
		topByTotalTime = List.copyOf(topByTotalTime);
		topByP95 = List.copyOf(topByP95);
		topByCount = List.copyOf(topByCount);
		details = ReportDraft.freeze(details);
	}

	/**
	 * Figures of one data source.
	 *
	 * @param name the data source ({@code datasource} tag)
	 * @param queries queries timed
	 * @param slow queries slower than the slow-query threshold
	 * @param errors queries that failed
	 * @param nPlusOne N+1 patterns detected
	 * @param fingerprints distinct query shapes tracked
	 */
	public record Datasource(String name, long queries, long slow, long errors, long nPlusOne, Long fingerprints) {

	}

	/**
	 * Timing of one query shape.
	 *
	 * @param datasource the data source
	 * @param fingerprint the short fingerprint id, or {@code other} for shapes outside the top ones
	 * @param count executions
	 * @param totalMillis time spent altogether
	 * @param meanMillis mean time
	 * @param p95Millis 95th percentile, null when the timer publishes neither percentiles nor a histogram
	 * @param maxMillis recent maximum (Micrometer's decaying max)
	 * @param details what the engine added, such as the full normalized SQL
	 */
	public record Query(String datasource, String fingerprint, long count, double totalMillis, double meanMillis,
			Double p95Millis, double maxMillis, Map<String, Object> details) {

		/**
		 * Create an entry, copying its details.
		 */
		public Query {
			details = ReportDraft.freeze(details);
		}

	}

}
