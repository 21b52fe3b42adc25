package dev.perfkit.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The score, status and degradation of a report. The score is 100 less the points of
 * each rule below (documented in {@code docs/observability.md}); rules judging a rate
 * need the same minimum evidence as the recommendations.
 * <ul>
 * <li>{@code cache.breaker}: 25 when the cache breaker is open, 10 when half-open.</li>
 * <li>{@code rateLimit.breaker}: 15 when the rate-limit breaker is open, 5 when half-open.</li>
 * <li>{@code cache.hit-rate}: 20 × (1 − hit rate) over the caches with enough gets.</li>
 * <li>{@code rateLimit.errors}: 100 × error rate, at most 20.</li>
 * <li>{@code rateLimit.rejections}: 10 × rejection rate.</li>
 * <li>{@code queries.slow}: 200 × slow-query rate, at most 20.</li>
 * <li>{@code queries.errors}: 100 × query error rate, at most 10.</li>
 * <li>{@code queries.n-plus-one}: 5 per data source with N+1 detections, at most 10.</li>
 * <li>{@code pool.saturation}: 20 when a pool's pressure reaches the saturation
 * threshold, 10 from 75%.</li>
 * <li>{@code pool.waiting}: 5 when threads wait for a connection.</li>
 * <li>{@code pool.timeouts}: 10 when connection requests timed out.</li>
 * <li>{@code pool.leaks}: 5 when leaks are suspected.</li>
 * </ul>
 * Status: CRITICAL below 50; DEGRADED when anything is degraded or below 75; GOOD below
 * 90; EXCELLENT otherwise.
 */
final class Verdict {

	private final List<Penalty> penalties = new ArrayList<>();

	private final List<String> reasons = new ArrayList<>();

	private final int score;

	private final PerformanceStatus status;

	Verdict(ReportSettings settings, CacheSection cache, RateLimitSection rateLimit, QuerySection queries,
			PoolSection pool, List<String> contributedReasons) {
		breaker("cache.breaker", "cache", cache.breaker(), 25, 10,
				"caches serve from their local tier only and instances may disagree");
		breaker("rateLimit.breaker", "rate-limit", rateLimit.breaker(), 15, 5,
				"limits are enforced per instance by the local fallback");
		cacheHitRate(settings, cache);
		rateLimit(settings, rateLimit);
		queries(settings, queries);
		pool(settings, pool);
		this.reasons.addAll(contributedReasons);
		int total = this.penalties.stream().mapToInt(Penalty::points).sum();
		this.score = Math.max(0, 100 - total);
		if (this.score < 50) {
			this.status = PerformanceStatus.CRITICAL;
		}
		else if (!this.reasons.isEmpty() || this.score < 75) {
			this.status = PerformanceStatus.DEGRADED;
		}
		else {
			this.status = (this.score < 90) ? PerformanceStatus.GOOD : PerformanceStatus.EXCELLENT;
		}
	}

	int score() {
		return this.score;
	}

	PerformanceStatus status() {
		return this.status;
	}

	List<Penalty> penalties() {
		return this.penalties;
	}

	Degradation degradation() {
		return new Degradation(!this.reasons.isEmpty(), this.reasons);
	}

	private void breaker(String rule, String what, BreakerState state, int open, int halfOpen, String consequence) {
		if (state == BreakerState.OPEN) {
			penalize(rule, open, "the " + what + " Redis breaker is open");
			this.reasons.add("The " + what + " Redis circuit breaker is open: Redis is failing, so " + consequence
					+ ".");
		}
		else if (state == BreakerState.HALF_OPEN) {
			penalize(rule, halfOpen, "the " + what + " Redis breaker is half-open");
			this.reasons.add("The " + what + " Redis circuit breaker is half-open: a trial call to Redis is in flight"
					+ " after failures, and until it succeeds " + consequence + ".");
		}
	}

	private void cacheHitRate(ReportSettings settings, CacheSection cache) {
		long gets = 0;
		double hits = 0;
		for (CacheSection.Cache entry : cache.caches()) {
			if (entry.gets() >= settings.minCacheGets() && entry.hitRate() != null) {
				gets += entry.gets();
				hits += entry.hitRate() * entry.gets();
			}
		}
		if (gets > 0) {
			double rate = hits / gets;
			penalize("cache.hit-rate", (int) Math.round(20 * (1 - rate)),
					String.format(Locale.ROOT, "hit rate %s over %,d gets", Advisor.percent(rate), gets));
		}
	}

	private void rateLimit(ReportSettings settings, RateLimitSection rateLimit) {
		long requests = 0;
		long rejected = 0;
		long errors = 0;
		for (RateLimitSection.Limit limit : rateLimit.limits()) {
			requests += limit.requests();
			rejected += limit.rejected();
			errors += limit.errors();
		}
		if (requests < settings.minRateLimitRequests()) {
			return;
		}
		penalizeRate("rateLimit.errors", 100, 20, errors, requests, "rate-limit decisions failed");
		penalizeRate("rateLimit.rejections", 10, 10, rejected, requests, "requests rejected");
	}

	private void queries(ReportSettings settings, QuerySection queries) {
		long total = 0;
		long slow = 0;
		long errors = 0;
		int nPlusOne = 0;
		for (QuerySection.Datasource datasource : queries.datasources()) {
			total += datasource.queries();
			slow += datasource.slow();
			errors += datasource.errors();
			if (datasource.nPlusOne() > 0) {
				nPlusOne++;
			}
		}
		if (total >= settings.minQueries()) {
			penalizeRate("queries.slow", 200, 20, slow, total, "queries were slow");
			penalizeRate("queries.errors", 100, 10, errors, total, "queries failed");
		}
		penalize("queries.n-plus-one", Math.min(10, 5 * nPlusOne), nPlusOne + " data source(s) with N+1 detections");
	}

	private void pool(ReportSettings settings, PoolSection pool) {
		PoolSection.Pool worst = null;
		long waiting = 0;
		long timeouts = 0;
		long leaks = 0;
		for (PoolSection.Pool entry : pool.pools()) {
			if (worst == null || entry.pressure() > worst.pressure()) {
				worst = entry;
			}
			waiting += entry.pending();
			timeouts += entry.timeouts();
			leaks += entry.leakSuspects();
			if (entry.pressure() >= settings.poolSaturation()) {
				this.reasons.add(String.format(Locale.ROOT,
						"Connection pool `%s` is saturated: %s of its connections in use (%d of %d), %d thread(s) waiting.",
						entry.name(), Advisor.percent(entry.pressure()), entry.active(), entry.max(), entry.pending()));
			}
		}
		if (worst != null) {
			double pressure = worst.pressure();
			int points = (pressure >= settings.poolSaturation()) ? 20 : (pressure >= 0.75) ? 10 : 0;
			penalize("pool.saturation", points, "pool `" + worst.name() + "` at " + Advisor.percent(pressure));
		}
		penalize("pool.waiting", (waiting > 0) ? 5 : 0, waiting + " thread(s) waiting for a connection");
		penalize("pool.timeouts", (timeouts > 0) ? 10 : 0, timeouts + " connection request(s) timed out");
		penalize("pool.leaks", (leaks > 0) ? 5 : 0, leaks + " connection leak suspect(s)");
	}

	/**
	 * Take off weight × part / whole points, at most cap.
	 */
	private void penalizeRate(String rule, int weight, int cap, long part, long whole, String what) {
		double rate = (double) part / whole;
		penalize(rule, (int) Math.min(cap, Math.round(weight * rate)),
				String.format(Locale.ROOT, "%,d of %,d %s (%s)", part, whole, what, Advisor.percent(rate)));
	}

	private void penalize(String rule, int points, String reason) {
		if (points > 0) {
			this.penalties.add(new Penalty(rule, points, reason));
		}
	}

}
