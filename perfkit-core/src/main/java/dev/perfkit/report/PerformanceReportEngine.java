package dev.perfkit.report;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

import dev.perfkit.report.MeterReadings.Baseline;
import dev.perfkit.report.MeterReadings.TimerFigures;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a {@link PerformanceReport} from a Micrometer registry: perfkit's meters (the
 * meter contract in {@link MeterNames}) and Boot's {@code hikaricp.*} pool meters, plus
 * what {@link ReportContributor}s add from the engines' snapshots. Because the figures
 * are the meters themselves, the report agrees with {@code /actuator/prometheus}.
 * <p>
 * <b>Implementation note.</b> The engine keeps no statistics of its own: each
 * {@link #report()} reads the registry afresh, so any number of threads may ask for
 * reports at once. Meters are read one after another, not atomically: a report taken
 * under load may see a counter a few increments ahead of its neighbour, which is the
 * same consistency a Prometheus scrape has. Counters and timers only grow, so
 * {@link #reset()} does not touch them (that would break every rate computed from
 * them downstream); it records a baseline of their values in one immutable map,
 * published through a volatile field, and later reports subtract it. A report racing a
 * reset uses either the old or the new baseline as a whole, never a mix. A meter that is
 * removed and registered again starts from zero, so a baseline larger than its value
 * is ignored. Timers' maximum and percentiles are Micrometer's decaying window and are
 * not rebased.
 */
public final class PerformanceReportEngine {

	private static final Logger logger = LoggerFactory.getLogger(PerformanceReportEngine.class);

	private static final String UNKNOWN = "unknown";

	private final MeterRegistry registry;

	private final ReportSettings settings;

	private final List<ReportContributor> contributors;

	private final Clock clock;

	private volatile Map<Meter.Id, Baseline> baselines = Map.of();

	/**
	 * Create an engine.
	 * @param registry the registry perfkit's meters are registered in
	 * @param settings the report's thresholds
	 * @param contributors the engines' contributors, called in order
	 */
	public PerformanceReportEngine(MeterRegistry registry, ReportSettings settings,
			List<? extends ReportContributor> contributors) {
		this(registry, settings, contributors, Clock.systemUTC());
	}

	/**
	 * Create an engine with the given clock for the report's time stamp.
	 * @param registry the registry perfkit's meters are registered in
	 * @param settings the report's thresholds
	 * @param contributors the engines' contributors, called in order
	 * @param clock the clock
	 */
	public PerformanceReportEngine(MeterRegistry registry, ReportSettings settings,
			List<? extends ReportContributor> contributors, Clock clock) {
		this.registry = Objects.requireNonNull(registry);
		this.settings = Objects.requireNonNull(settings);
		this.contributors = List.copyOf(contributors);
		this.clock = clock;
	}

	/**
	 * Build a report of the figures since the last reset.
	 * @return the report
	 */
	public PerformanceReport report() {
		MeterReadings readings = new MeterReadings(this.registry, this.baselines);
		ReportDraft draft = new ReportDraft();
		for (ReportContributor contributor : this.contributors) {
			try {
				contributor.contribute(draft);
			}
			catch (RuntimeException ex) {
				logger.warn("Report contributor {} failed; the report is built without it", contributor, ex);
			}
		}
		CacheSection cache = cacheSection(readings, draft);
		RateLimitSection rateLimit = rateLimitSection(readings, draft);
		QuerySection queries = querySection(readings, draft);
		PoolSection pool = poolSection(readings, draft);
		Verdict verdict = new Verdict(this.settings, cache, rateLimit, queries, pool, draft.degradations());
		List<Recommendation> recommendations = new Advisor(this.settings).advise(cache, rateLimit, queries, pool);
		recommendations.addAll(draft.recommendations());
		return new PerformanceReport(this.clock.instant(), verdict.status(), verdict.score(), verdict.penalties(),
				cache, rateLimit, queries, pool, recommendations, verdict.degradation());
	}

	/**
	 * Start the statistics afresh: later reports count from now, and every contributor's
	 * {@link ReportContributor#reset()} is called. The meters themselves are untouched,
	 * so Prometheus and other registries keep their monotonic counts.
	 */
	public void reset() {
		List<String> names = new ArrayList<>(MeterNames.PERFKIT);
		names.addAll(MeterNames.BOOT);
		this.baselines = MeterReadings.capture(this.registry, names);
		for (ReportContributor contributor : this.contributors) {
			try {
				contributor.reset();
			}
			catch (RuntimeException ex) {
				logger.warn("Report contributor {} failed to reset", contributor, ex);
			}
		}
	}

	private CacheSection cacheSection(MeterReadings readings, ReportDraft draft) {
		BreakerState breaker = BreakerState.fromGauge(readings.maxGauge(MeterNames.CACHE_BREAKER_STATE));
		Map<String, CacheFigures> caches = new TreeMap<>();
		for (Meter meter : readings.find(MeterNames.CACHE_GETS)) {
			TierFigures tier = caches.computeIfAbsent(name(meter, "cache"), (n) -> new CacheFigures())
				.tier(MeterReadings.tag(meter, "tier"));
			if ("hit".equals(MeterReadings.tag(meter, "result"))) {
				tier.hits += readings.count(meter);
			}
			else {
				tier.misses += readings.count(meter);
			}
		}
		for (Meter meter : readings.find(MeterNames.CACHE_EVICTIONS)) {
			caches.computeIfAbsent(name(meter, "cache"), (n) -> new CacheFigures())
				.tier(MeterReadings.tag(meter, "tier")).evictions += readings.count(meter);
		}
		sum(readings, MeterNames.CACHE_PUTS, caches, (figures, value) -> figures.puts += value);
		sum(readings, MeterNames.CACHE_REMOTE_ERRORS, caches, (figures, value) -> figures.remoteErrors += value);
		sum(readings, MeterNames.CACHE_DECODE_FAILURES, caches, (figures, value) -> figures.decodeFailures += value);
		sum(readings, MeterNames.CACHE_INVALIDATIONS_SENT, caches,
				(figures, value) -> figures.invalidationsSent += value);
		sum(readings, MeterNames.CACHE_INVALIDATIONS_RECEIVED, caches,
				(figures, value) -> figures.invalidationsReceived += value);
		sum(readings, MeterNames.CACHE_LOCAL_FLUSHES, caches, (figures, value) -> figures.localFlushes += value);
		for (Meter meter : readings.find(MeterNames.CACHE_LOADS)) {
			CacheFigures figures = caches.computeIfAbsent(name(meter, "cache"), (n) -> new CacheFigures());
			TimerFigures timer = readings.timer(meter);
			figures.loads.add(timer);
			if ("failure".equals(MeterReadings.tag(meter, "result"))) {
				figures.loadFailures += timer.count();
			}
			else {
				figures.loadSuccesses += timer.count();
			}
		}
		for (Meter meter : readings.find(MeterNames.CACHE_REMOTE_LATENCY)) {
			caches.computeIfAbsent(name(meter, "cache"), (n) -> new CacheFigures()).remoteLatency
				.add(readings.timer(meter));
		}
		for (Meter meter : readings.find(MeterNames.CACHE_SIZE)) {
			double value = MeterReadings.gauge(meter);
			if (!Double.isNaN(value)) {
				CacheFigures figures = caches.computeIfAbsent(name(meter, "cache"), (n) -> new CacheFigures());
				figures.size = ((figures.size != null) ? figures.size : 0) + (long) value;
			}
		}
		draft.entries(ReportSection.CACHE).keySet().forEach((name) -> caches.computeIfAbsent(name, (n) -> new CacheFigures()));
		List<CacheSection.Cache> entries = new ArrayList<>();
		caches.forEach((name, figures) -> entries.add(figures.toCache(name, breaker,
				draft.entryDetails(ReportSection.CACHE, name))));
		return new CacheSection(breaker, entries, draft.sectionDetails(ReportSection.CACHE));
	}

	private RateLimitSection rateLimitSection(MeterReadings readings, ReportDraft draft) {
		BreakerState breaker = BreakerState.fromGauge(readings.maxGauge(MeterNames.RATELIMIT_BREAKER_STATE));
		Map<String, long[]> outcomes = new TreeMap<>();
		for (Meter meter : readings.find(MeterNames.RATELIMIT_REQUESTS)) {
			long[] counts = outcomes.computeIfAbsent(
					ReportDraft.limitKey(name(meter, "tier"), name(meter, "plan")), (k) -> new long[3]);
			long count = (long) readings.count(meter);
			switch (MeterReadings.tag(meter, "outcome")) {
				case "allowed" -> counts[0] += count;
				case "rejected" -> counts[1] += count;
				default -> counts[2] += count;
			}
		}
		Map<String, Long> fallbacks = new TreeMap<>();
		for (Meter meter : readings.find(MeterNames.RATELIMIT_FALLBACKS)) {
			fallbacks.merge(name(meter, "tier"), (long) readings.count(meter), Long::sum);
		}
		Map<String, TimerTotal> backends = new TreeMap<>();
		for (Meter meter : readings.find(MeterNames.RATELIMIT_BACKEND_LATENCY)) {
			backends.computeIfAbsent(name(meter, "backend"), (b) -> new TimerTotal()).add(readings.timer(meter));
		}
		Map<String, Double> backendMeans = new TreeMap<>();
		backends.forEach((backend, total) -> {
			if (total.mean() != null) {
				backendMeans.put(backend, total.mean());
			}
		});
		draft.entries(ReportSection.RATE_LIMIT).keySet().forEach((key) -> outcomes.computeIfAbsent(key, (k) -> new long[3]));
		List<RateLimitSection.Limit> limits = new ArrayList<>();
		outcomes.forEach((key, counts) -> {
			String tier = key.substring(0, key.indexOf('/'));
			String plan = key.substring(key.indexOf('/') + 1);
			long requests = counts[0] + counts[1] + counts[2];
			limits.add(new RateLimitSection.Limit(tier, plan, counts[0], counts[1], counts[2],
					ratio(counts[1], requests), fallbacks.getOrDefault(tier, 0L),
					draft.entryDetails(ReportSection.RATE_LIMIT, key)));
		});
		Map<String, Object> details = new TreeMap<>(draft.sectionDetails(ReportSection.RATE_LIMIT));
		details.putIfAbsent("fallbacksByTier", fallbacks);
		return new RateLimitSection(breaker, limits, backendMeans, details);
	}

	private QuerySection querySection(MeterReadings readings, ReportDraft draft) {
		Map<String, long[]> datasources = new TreeMap<>();
		Map<String, Long> fingerprintCounts = new TreeMap<>();
		List<QuerySection.Query> queries = new ArrayList<>();
		for (Meter meter : readings.find(MeterNames.QUERY_DURATION)) {
			String datasource = name(meter, "datasource");
			String fingerprint = name(meter, "fingerprint");
			TimerFigures timer = readings.timer(meter);
			datasources.computeIfAbsent(datasource, (d) -> new long[4])[0] += timer.count();
			queries.add(new QuerySection.Query(datasource, fingerprint, timer.count(), round(timer.totalMillis()),
					(timer.count() > 0) ? round(timer.totalMillis() / timer.count()) : 0,
					(timer.p95Millis() != null) ? round(timer.p95Millis()) : null, round(timer.maxMillis()),
					draft.entryDetails(ReportSection.QUERIES, ReportDraft.queryKey(datasource, fingerprint))));
		}
		String[] perDatasource = { null, MeterNames.QUERY_SLOW, MeterNames.QUERY_ERRORS, MeterNames.QUERY_N_PLUS_ONE };
		for (int i = 1; i < perDatasource.length; i++) {
			for (Meter meter : readings.find(perDatasource[i])) {
				datasources.computeIfAbsent(name(meter, "datasource"), (d) -> new long[4])[i] += (long) readings
					.count(meter);
			}
		}
		for (Meter meter : readings.find(MeterNames.QUERY_FINGERPRINTS)) {
			double value = MeterReadings.gauge(meter);
			if (!Double.isNaN(value)) {
				String datasource = name(meter, "datasource");
				datasources.computeIfAbsent(datasource, (d) -> new long[4]);
				fingerprintCounts.merge(datasource, (long) value, Long::sum);
			}
		}
		List<QuerySection.Datasource> entries = new ArrayList<>();
		datasources.forEach((name, counts) -> entries.add(new QuerySection.Datasource(name, counts[0], counts[1],
				counts[2], counts[3], fingerprintCounts.get(name))));
		List<QuerySection.Query> executed = queries.stream().filter((query) -> query.count() > 0).toList();
		return new QuerySection(entries, top(executed, QuerySection.Query::totalMillis),
				top(executed, (query) -> (query.p95Millis() != null) ? query.p95Millis() : query.maxMillis()),
				top(executed, QuerySection.Query::count), draft.sectionDetails(ReportSection.QUERIES));
	}

	private PoolSection poolSection(MeterReadings readings, ReportDraft draft) {
		Map<String, PoolFigures> pools = new TreeMap<>();
		for (String name : List.of(MeterNames.HIKARI_ACTIVE, MeterNames.HIKARI_IDLE, MeterNames.HIKARI_MAX,
				MeterNames.HIKARI_PENDING, MeterNames.POOL_SATURATION)) {
			for (Meter meter : readings.find(name)) {
				double value = MeterReadings.gauge(meter);
				if (Double.isNaN(value)) {
					continue;
				}
				PoolFigures pool = pools.computeIfAbsent(name(meter, "pool"), (p) -> new PoolFigures());
				switch (name) {
					case MeterNames.HIKARI_ACTIVE -> pool.active += (long) value;
					case MeterNames.HIKARI_IDLE -> pool.idle += (long) value;
					case MeterNames.HIKARI_MAX -> pool.max += (long) value;
					case MeterNames.HIKARI_PENDING -> pool.pending += (long) value;
					default -> pool.saturation = Math.max((pool.saturation != null) ? pool.saturation : 0, value);
				}
			}
		}
		for (Meter meter : readings.find(MeterNames.HIKARI_TIMEOUT)) {
			pools.computeIfAbsent(name(meter, "pool"), (p) -> new PoolFigures()).timeouts += (long) readings
				.count(meter);
		}
		for (Meter meter : readings.find(MeterNames.POOL_LEAK_SUSPECTS)) {
			pools.computeIfAbsent(name(meter, "pool"), (p) -> new PoolFigures()).leakSuspects += (long) readings
				.count(meter);
		}
		draft.entries(ReportSection.POOL).keySet().forEach((name) -> pools.computeIfAbsent(name, (p) -> new PoolFigures()));
		List<PoolSection.Pool> entries = new ArrayList<>();
		pools.forEach((name, pool) -> entries.add(new PoolSection.Pool(name, pool.active, pool.idle, pool.max,
				pool.pending, pool.timeouts, (pool.max > 0) ? round(Math.min(1, (double) pool.active / pool.max)) : null,
				(pool.saturation != null) ? round(pool.saturation) : null, pool.leakSuspects,
				draft.entryDetails(ReportSection.POOL, name))));
		return new PoolSection(entries, draft.sectionDetails(ReportSection.POOL));
	}

	private List<QuerySection.Query> top(List<QuerySection.Query> queries, ToDoubleFunction<QuerySection.Query> by) {
		return queries.stream()
			.sorted(Comparator.comparingDouble(by).reversed()
				.thenComparing(QuerySection.Query::datasource)
				.thenComparing(QuerySection.Query::fingerprint))
			.limit(this.settings.topQueries())
			.toList();
	}

	private static void sum(MeterReadings readings, String meterName, Map<String, CacheFigures> caches,
			CacheFigureUpdate update) {
		for (Meter meter : readings.find(meterName)) {
			update.add(caches.computeIfAbsent(name(meter, "cache"), (n) -> new CacheFigures()),
					(long) readings.count(meter));
		}
	}

	private static String name(Meter meter, String tag) {
		String value = MeterReadings.tag(meter, tag);
		return value.isEmpty() ? UNKNOWN : value;
	}

	static Double ratio(long part, long whole) {
		return (whole > 0) ? round((double) part / whole) : null;
	}

	static double round(double value) {
		return Math.round(value * 1000.0) / 1000.0;
	}

	@FunctionalInterface
	private interface CacheFigureUpdate {

		void add(CacheFigures figures, long value);

	}

	/**
	 * A running sum of timer figures, for a mean over several timers.
	 */
	private static final class TimerTotal {

		private long count;

		private double totalMillis;

		void add(TimerFigures timer) {
			this.count += timer.count();
			this.totalMillis += timer.totalMillis();
		}

		Double mean() {
			return (this.count > 0) ? round(this.totalMillis / this.count) : null;
		}

	}

	private static final class TierFigures {

		private long hits;

		private long misses;

		private long evictions;

	}

	private static final class CacheFigures {

		private final Map<String, TierFigures> tiers = new TreeMap<>();

		private long puts;

		private long remoteErrors;

		private long decodeFailures;

		private long invalidationsSent;

		private long invalidationsReceived;

		private long localFlushes;

		private long loadSuccesses;

		private long loadFailures;

		private final TimerTotal loads = new TimerTotal();

		private final TimerTotal remoteLatency = new TimerTotal();

		private Long size;

		TierFigures tier(String tier) {
			return this.tiers.computeIfAbsent(tier.isEmpty() ? "all" : tier, (t) -> new TierFigures());
		}

		/**
		 * A get reaches the local tier first when there is one, so the cache's gets are the
		 * local tier's, and its hits are the hits of every tier.
		 */
		CacheSection.Cache toCache(String name, BreakerState breaker, Map<String, Object> details) {
			long hits = 0;
			long gets = 0;
			long evictions = 0;
			List<CacheSection.Tier> tierEntries = new ArrayList<>();
			for (Map.Entry<String, TierFigures> entry : this.tiers.entrySet()) {
				TierFigures tier = entry.getValue();
				hits += tier.hits;
				evictions += tier.evictions;
				tierEntries.add(new CacheSection.Tier(entry.getKey(), tier.hits, tier.misses,
						ratio(tier.hits, tier.hits + tier.misses), tier.evictions));
			}
			TierFigures local = this.tiers.get("local");
			if (local != null) {
				gets = local.hits + local.misses;
			}
			else {
				for (TierFigures tier : this.tiers.values()) {
					gets += tier.hits + tier.misses;
				}
			}
			return new CacheSection.Cache(name, ratio(Math.min(hits, gets), gets), gets, tierEntries, this.size,
					evictions, this.puts, this.loadSuccesses, this.loadFailures, this.loads.mean(),
					this.remoteErrors, this.remoteLatency.mean(), this.decodeFailures, this.invalidationsSent,
					this.invalidationsReceived, this.localFlushes, breaker, details);
		}

	}

	private static final class PoolFigures {

		private long active;

		private long idle;

		private long max;

		private long pending;

		private long timeouts;

		private long leakSuspects;

		private Double saturation;

	}

}
