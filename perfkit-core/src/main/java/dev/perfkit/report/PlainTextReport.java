package dev.perfkit.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link PerformanceReport} as plain text, for logs and tickets: the same
 * figures as the JSON, in aligned lines that survive pasting anywhere.
 */
public final class PlainTextReport {

	private PlainTextReport() {
	}

	/**
	 * Render a report.
	 * @param report the report
	 * @return the text, ending with a line break
	 */
	public static String render(PerformanceReport report) {
		StringBuilder out = new StringBuilder();
		line(out, "perfkit performance report, %s", report.generatedAt());
		line(out, "status: %s   score: %d/100", report.status(), report.score());
		for (Penalty penalty : report.penalties()) {
			line(out, "  -%d %s: %s", penalty.points(), penalty.rule(), penalty.reason());
		}
		Degradation degraded = report.degraded();
		line(out, "degraded: %s", degraded.active() ? "yes" : "no");
		degraded.reasons().forEach((reason) -> line(out, "  - %s", reason));

		heading(out, "cache", "breaker " + breaker(report.cache().breaker()));
		for (CacheSection.Cache cache : report.cache().caches()) {
			line(out, "  %s: hit rate %s over %,d gets, size %s, %,d evictions, %,d remote errors, %,d decode failures",
					cache.name(), rate(cache.hitRate()), cache.gets(), (cache.size() != null) ? cache.size() : "n/a",
					cache.evictions(), cache.remoteErrors(), cache.decodeFailures());
			for (CacheSection.Tier tier : cache.tiers()) {
				line(out, "    %-6s hit rate %s (%,d hits, %,d misses, %,d evictions)", tier.tier(), rate(tier.hitRate()),
						tier.hits(), tier.misses(), tier.evictions());
			}
			details(out, cache.details());
		}
		details(out, report.cache().details());

		heading(out, "rateLimit", "breaker " + breaker(report.rateLimit().breaker()));
		for (RateLimitSection.Limit limit : report.rateLimit().limits()) {
			line(out, "  %s/%s: %,d allowed, %,d rejected (%s), %,d errors, %,d fallbacks", limit.tier(), limit.plan(),
					limit.allowed(), limit.rejected(), rate(limit.rejectionRate()), limit.errors(), limit.fallbacks());
			details(out, limit.details());
		}
		report.rateLimit()
			.backends()
			.forEach((backend, mean) -> line(out, "  backend %s: %.3f ms mean", backend, mean));

		heading(out, "queries", null);
		for (QuerySection.Datasource datasource : report.queries().datasources()) {
			line(out, "  %s: %,d queries, %,d slow, %,d errors, %,d N+1, %s fingerprints", datasource.name(),
					datasource.queries(), datasource.slow(), datasource.errors(), datasource.nPlusOne(),
					(datasource.fingerprints() != null) ? datasource.fingerprints() : "n/a");
		}
		queries(out, "top by total time", report.queries().topByTotalTime());
		queries(out, "top by p95", report.queries().topByP95());
		queries(out, "top by count", report.queries().topByCount());
		details(out, report.queries().details());

		heading(out, "pool", null);
		for (PoolSection.Pool pool : report.pool().pools()) {
			line(out, "  %s: %d active, %d idle, %d max, utilization %s, saturation %s, %d waiting, %,d timeouts, %,d leak suspects",
					pool.name(), pool.active(), pool.idle(), pool.max(), rate(pool.utilization()),
					rate(pool.saturation()), pool.pending(), pool.timeouts(), pool.leakSuspects());
			details(out, pool.details());
		}
		details(out, report.pool().details());

		heading(out, "recommendations", null);
		if (report.recommendations().isEmpty()) {
			line(out, "  none");
		}
		int number = 1;
		for (Recommendation recommendation : report.recommendations()) {
			line(out, "  %d. [%s] %s", number++, recommendation.section(), recommendation.message());
		}
		return out.toString();
	}

	private static void queries(StringBuilder out, String title, List<QuerySection.Query> queries) {
		if (queries.isEmpty()) {
			return;
		}
		line(out, "  %s:", title);
		for (QuerySection.Query query : queries) {
			line(out, "    %s %s: %,d runs, %.3f ms total, %.3f ms mean, p95 %s, max %.3f ms", query.datasource(),
					query.fingerprint(), query.count(), query.totalMillis(), query.meanMillis(),
					(query.p95Millis() != null) ? String.format(Locale.ROOT, "%.3f ms", query.p95Millis()) : "n/a",
					query.maxMillis());
			Object sql = query.details().get("sql");
			if (sql != null) {
				line(out, "      %s", sql);
			}
		}
	}

	private static void details(StringBuilder out, Map<String, Object> details) {
		details.forEach((key, value) -> line(out, "    %s: %s", key, value));
	}

	private static void heading(StringBuilder out, String section, String suffix) {
		out.append('\n').append("[").append(section).append("]");
		if (suffix != null) {
			out.append(' ').append(suffix);
		}
		out.append('\n');
	}

	private static String breaker(BreakerState state) {
		return state.name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	private static String rate(Double fraction) {
		return (fraction != null) ? Advisor.percent(fraction) : "n/a";
	}

	private static void line(StringBuilder out, String format, Object... args) {
		out.append(String.format(Locale.ROOT, format, args)).append('\n');
	}

}
