package dev.perfkit.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a report's figures into concrete recommendations, each naming its subject and
 * carrying the figures behind it. A rate is judged only once it rests on the minimum
 * evidence of {@link ReportSettings}, so a few requests after startup produce no advice.
 */
final class Advisor {

	private final ReportSettings settings;

	private final List<Recommendation> recommendations = new ArrayList<>();

	Advisor(ReportSettings settings) {
		this.settings = settings;
	}

	List<Recommendation> advise(CacheSection cache, RateLimitSection rateLimit, QuerySection queries,
			PoolSection pool) {
		pool.pools().forEach(this::pool);
		cache.caches().forEach(this::cache);
		queries.datasources().forEach((datasource) -> datasource(datasource, queries));
		rateLimit.limits().forEach(this::limit);
		return this.recommendations;
	}

	private void pool(PoolSection.Pool pool) {
		if (pool.pressure() >= 0.75 || pool.pending() > 0) {
			add(ReportSection.POOL, pool.name(), format(
					"Pool `%s` is at %s utilization (%d of %d connections) with %d thread(s) waiting: raise its maximum pool size or hold connections for less time (shorter transactions, no remote calls inside them).",
					pool.name(), percent(pool.pressure()), pool.active(), pool.max(), pool.pending()),
					evidence("active", pool.active(), "max", pool.max(), "pending", pool.pending(), "pressure",
							pool.pressure()));
		}
		if (pool.timeouts() > 0) {
			add(ReportSection.POOL, pool.name(), format(
					"Pool `%s` timed out %,d connection request(s): callers waited longer than the connection timeout; the pool is too small for the load or connections are held too long.",
					pool.name(), pool.timeouts()), evidence("timeouts", pool.timeouts(), "max", pool.max()));
		}
		if (pool.leakSuspects() > 0) {
			add(ReportSection.POOL, pool.name(), format(
					"Pool `%s` has %,d suspected connection leak(s): a connection was held longer than the leak threshold; find where it is opened from the leak details and close it.",
					pool.name(), pool.leakSuspects()), evidence("leakSuspects", pool.leakSuspects()));
		}
	}

	private void cache(CacheSection.Cache cache) {
		if (cache.gets() >= this.settings.minCacheGets() && cache.hitRate() != null
				&& cache.hitRate() < this.settings.lowHitRate()) {
			Object ttl = cache.details().get("ttl");
			String cause = (ttl != null) ? "its " + ttl + " TTL may be too short or its entries evicted too early"
					: "its entries expire or are evicted before they are reused; its TTL may be too short or its maximum size too small";
			add(ReportSection.CACHE, cache.name(), format("Cache `%s` hit rate %s over %,d gets: %s.", cache.name(),
					percent(cache.hitRate()), cache.gets(), cause),
					evidence("hitRate", cache.hitRate(), "gets", cache.gets(), "evictions", cache.evictions(), "ttl",
							ttl));
		}
		if (cache.puts() >= this.settings.minCacheGets() && cache.evictions() * 10 >= cache.puts()) {
			add(ReportSection.CACHE, cache.name(), format(
					"Cache `%s` evicted %,d entries for %,d puts: its local maximum size is smaller than its working set; raise it.",
					cache.name(), cache.evictions(), cache.puts()),
					evidence("evictions", cache.evictions(), "puts", cache.puts(), "size", cache.size()));
		}
		if (cache.remoteErrors() > 0 && cache.remoteErrors() * 100 >= Math.max(1, cache.gets())) {
			add(ReportSection.CACHE, cache.name(), format(
					"Cache `%s` had %,d failed Redis call(s) over %,d gets: check that Redis is reachable and that `perfkit.redis.command-timeout` suits its latency.",
					cache.name(), cache.remoteErrors(), cache.gets()),
					evidence("remoteErrors", cache.remoteErrors(), "gets", cache.gets(), "meanRemoteLatencyMillis",
							cache.meanRemoteLatencyMillis()));
		}
		if (cache.decodeFailures() > 0) {
			add(ReportSection.CACHE, cache.name(), format(
					"Cache `%s` could not decode %,d value(s) read from Redis (they were served as misses): the cached type changed shape; entries written by the old version will expire with their TTL.",
					cache.name(), cache.decodeFailures()), evidence("decodeFailures", cache.decodeFailures()));
		}
	}

	private void datasource(QuerySection.Datasource datasource, QuerySection queries) {
		if (datasource.queries() >= this.settings.minQueries() && datasource.slow() > 0) {
			QuerySection.Query slowest = queries.topByTotalTime()
				.stream()
				.filter((query) -> query.datasource().equals(datasource.name()))
				.findFirst()
				.orElse(null);
			String culprit = (slowest != null) ? format(
					"; the query taking the most time is fingerprint `%s` (%,d runs, %.1f ms mean, %.1f ms in all): look at its plan and indexes",
					slowest.fingerprint(), slowest.count(), slowest.meanMillis(), slowest.totalMillis()) : "";
			add(ReportSection.QUERIES, datasource.name(),
					format("Data source `%s` ran %,d slow queries out of %,d (%s)%s.", datasource.name(),
							datasource.slow(), datasource.queries(),
							percent((double) datasource.slow() / datasource.queries()), culprit),
					evidence("slow", datasource.slow(), "queries", datasource.queries(), "fingerprint",
							(slowest != null) ? slowest.fingerprint() : null));
		}
		if (datasource.nPlusOne() > 0) {
			add(ReportSection.QUERIES, datasource.name(), format(
					"Data source `%s` saw the N+1 pattern %,d time(s): a loop loads an association one row at a time; fetch it with a join or an entity graph, or enable batch fetching.",
					datasource.name(), datasource.nPlusOne()), evidence("nPlusOne", datasource.nPlusOne()));
		}
	}

	private void limit(RateLimitSection.Limit limit) {
		long requests = limit.requests();
		String subject = limit.tier() + "/" + limit.plan();
		if (requests >= this.settings.minRateLimitRequests() && limit.rejectionRate() != null
				&& limit.rejectionRate() > this.settings.highRejectionRate()) {
			Object effective = limit.details().get("limit");
			add(ReportSection.RATE_LIMIT, subject, format(
					"Tier `%s` plan `%s` rejected %s of %,d requests%s: raise the limit if these are legitimate clients, or keep it if they are abusive.",
					limit.tier(), limit.plan(), percent(limit.rejectionRate()), requests,
					(effective != null) ? " (limit " + effective + ")" : ""),
					evidence("rejected", limit.rejected(), "requests", requests, "rejectionRate",
							limit.rejectionRate(), "limit", effective));
		}
		if (limit.errors() > 0 && limit.errors() * 100 >= requests) {
			add(ReportSection.RATE_LIMIT, subject, format(
					"Tier `%s` plan `%s` failed to decide %,d of %,d requests: the rate-limit backend is failing; check Redis.",
					limit.tier(), limit.plan(), limit.errors(), requests),
					evidence("errors", limit.errors(), "requests", requests));
		}
		if (limit.fallbacks() > 0 && !this.fallbackReported(limit.tier())) {
			add(ReportSection.RATE_LIMIT, limit.tier(), format(
					"Tier `%s` fell back to the local limiter %,d time(s) because Redis was unavailable: meanwhile each instance enforced the limit on its own.",
					limit.tier(), limit.fallbacks()), evidence("fallbacks", limit.fallbacks()));
		}
	}

	private boolean fallbackReported(String tier) {
		return this.recommendations.stream()
			.anyMatch((recommendation) -> recommendation.subject().equals(tier)
					&& recommendation.evidence().containsKey("fallbacks"));
	}

	private void add(ReportSection section, String subject, String message, Map<String, Object> evidence) {
		this.recommendations.add(new Recommendation(section.key(), subject, message, evidence));
	}

	private static Map<String, Object> evidence(Object... pairs) {
		Map<String, Object> evidence = new LinkedHashMap<>();
		for (int i = 0; i < pairs.length; i += 2) {
			if (pairs[i + 1] != null) {
				evidence.put((String) pairs[i], pairs[i + 1]);
			}
		}
		return evidence;
	}

	private static String format(String format, Object... args) {
		return String.format(Locale.ROOT, format, args);
	}

	static String percent(double fraction) {
		double percent = fraction * 100;
		return (percent == Math.rint(percent) || percent >= 10) ? Math.round(percent) + "%"
				: String.format(Locale.ROOT, "%.1f%%", percent);
	}

}
