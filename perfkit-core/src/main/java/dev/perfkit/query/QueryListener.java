package dev.perfkit.query;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import net.ttddyy.dsproxy.ExecutionInfo;
import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;
import net.ttddyy.dsproxy.proxy.ParameterSetOperation;

/**
 * Records every statement of one data source after it completed.
 * <p>
 * <b>Implementation note.</b> The per-statement path is: one lookup of the SQL string in a
 * bounded Caffeine cache (a hit costs no allocation), a handful of adder increments, one
 * timer record, and, only inside an N+1 scope, a thread-confined tally. Nothing is
 * scheduled: the duration comes from datasource-proxy's nano-time stopwatch and the slow
 * line is written after completion, on the calling thread, within the bound of lines per
 * second that the {@link SlowQueryLog} shared by the engine's data sources keeps.
 * <p>
 * Concurrency: fingerprints are created at most once per normalized text by
 * {@code putIfAbsent}; the bound is enforced by reserving a slot in {@link #distinct}
 * before the put and releasing it when the put loses or the bound is full, so the map
 * never holds more than {@code maxFingerprints} entries. A {@link #reset()} racing a
 * record may let that one record land in a discarded statistics object; nothing else is
 * lost or corrupted. Meter tags are handed out to the first {@code maxTaggedFingerprints}
 * fingerprints, then {@link #retag()} (run periodically) moves them to the fingerprints
 * with the largest total time; both run under the {@code taggedTimers} monitor, so the
 * number of tagged timers never exceeds the bound. A statement racing a retag may record
 * once more on a timer that was just removed; Micrometer tolerates that and the value is
 * simply not exported.
 */
final class QueryListener implements QueryExecutionListener, QueryScope.Reporter {

	private static final long NO_PARAMETERS = 0x9E3779B97F4A7C15L;

	private final String dataSource;

	private final QuerySettings settings;

	private final long slowNanos;

	private final int timeoutSeconds;

	private final MeterRegistry registry;

	private final NPlusOneSuspects suspects;

	private final SlowQueryLog slowLog;

	private final Cache<String, FingerprintStatistics> bySql;

	private final Function<String, FingerprintStatistics> resolver = this::resolve;

	private final ConcurrentHashMap<String, FingerprintStatistics> byFingerprint = new ConcurrentHashMap<>();

	private final AtomicInteger distinct = new AtomicInteger();

	private final ConcurrentHashMap<String, Timer> taggedTimers = new ConcurrentHashMap<>();

	private final Timer otherTimer;

	private final Counter errors;

	private final Counter slow;

	private final Counter slowSuppressed;

	private final Counter nPlusOne;

	private volatile FingerprintStatistics overflow;

	private final PlanExplainer explainer;

	/** The dialect statements are read in; {@code null} until told by the first connection. */
	private volatile SqlDialect dialect;

	QueryListener(String dataSource, QuerySettings settings, MeterRegistry registry, NPlusOneSuspects suspects,
			SlowQueryLog slowLog, PlanExplainer explainer, SqlDialect dialect) {
		this.dataSource = dataSource;
		this.dialect = dialect;
		this.explainer = explainer;
		this.settings = settings;
		this.slowNanos = settings.slowThreshold().toNanos();
		long timeoutMillis = settings.timeout().toMillis();
		this.timeoutSeconds = (int) Math.min(Integer.MAX_VALUE, (timeoutMillis + 999) / 1000);
		this.registry = registry;
		this.suspects = suspects;
		this.slowLog = slowLog;
		this.bySql = Caffeine.newBuilder().maximumSize(settings.maxFingerprints() * 4L).build();
		this.otherTimer = timer("other");
		this.errors = Counter.builder("perfkit.query.errors")
			.description("Statements that failed")
			.tag("datasource", dataSource)
			.register(registry);
		this.slow = Counter.builder("perfkit.query.slow")
			.description("Statements at or over the slow-query threshold")
			.tag("datasource", dataSource)
			.register(registry);
		this.slowSuppressed = Counter.builder("perfkit.query.slow.log.suppressed")
			.description("Slow statements whose log line was not written, as the lines per second were used up")
			.tag("datasource", dataSource)
			.register(registry);
		this.nPlusOne = Counter.builder("perfkit.query.n-plus-one")
			.description("N+1 patterns found, one per scope and fingerprint")
			.tag("datasource", dataSource)
			.register(registry);
		Gauge.builder("perfkit.query.fingerprints", this.byFingerprint, ConcurrentHashMap::size)
			.description("Distinct fingerprints tracked")
			.tag("datasource", dataSource)
			.register(registry);
		this.overflow = new FingerprintStatistics(Fingerprint.OVERFLOW, this.otherTimer);
	}

	private Timer timer(String fingerprintTag) {
		return Timer.builder("perfkit.query.duration")
			.description("Statement execution time")
			.tag("datasource", this.dataSource)
			.tag("fingerprint", fingerprintTag)
			.register(this.registry);
	}

	String dataSource() {
		return this.dataSource;
	}

	@Override
	public void beforeQuery(ExecutionInfo execution, List<QueryInfo> queries) {
		if (this.timeoutSeconds > 0) {
			applyTimeout(execution.getStatement());
		}
	}

	private void applyTimeout(Statement statement) {
		try {
			if (statement != null && statement.getQueryTimeout() == 0) {
				statement.setQueryTimeout(this.timeoutSeconds);
			}
		}
		catch (SQLException | UnsupportedOperationException ex) {
			// The driver does not honour timeouts; the statement runs without one.
		}
	}

	@Override
	public void afterQuery(ExecutionInfo execution, List<QueryInfo> queries) {
		int size = queries.size();
		if (size == 0) {
			return;
		}
		SqlDialect dialect = this.dialect;
		if (dialect == null) {
			dialect = detectDialect(execution);
		}
		long nanos = execution.getElapsedTime();
		boolean success = execution.isSuccess();
		int batchSize = execution.isBatch() ? execution.getBatchSize() : 1;
		// A Statement batch may carry several texts: each gets its share of the time.
		long share = nanos / size;
		FingerprintStatistics first = null;
		for (int i = 0; i < size; i++) {
			FingerprintStatistics statistics = this.bySql.get(queries.get(i).getQuery(), this.resolver);
			statistics.record(share, success);
			statistics.timer.record(share, TimeUnit.NANOSECONDS);
			if (i == 0) {
				first = statistics;
			}
		}
		if (!success) {
			this.errors.increment();
		}
		if (nanos >= this.slowNanos) {
			this.slow.increment();
			if (!this.slowLog.write(this.dataSource, nanos, success, batchSize, first.fingerprint, queries.get(0),
					dialect)) {
				this.slowSuppressed.increment();
			}
			if (this.explainer != null && success && first.read && size == 1) {
				this.explainer.offer(first.fingerprint, queries.get(0));
			}
		}
		QueryScope.State scope = QueryScope.current();
		if (scope != null) {
			scope.statements++;
			if (this.settings.nPlusOneThreshold() > 0 && first.read) {
				track(scope, first.fingerprint, queries.get(0));
			}
		}
	}

	/**
	 * Tell the dialect from the connection's metadata, once: the URL first (it names the
	 * driver), then the product name. Both are answered by the drivers without a round
	 * trip. A statement that races this reads with the same result; a connection that
	 * cannot tell leaves the dialect {@link SqlDialect#UNKNOWN}, which masks the most.
	 */
	private SqlDialect detectDialect(ExecutionInfo execution) {
		SqlDialect detected = SqlDialect.UNKNOWN;
		try {
			DatabaseMetaData metaData = execution.getStatement().getConnection().getMetaData();
			detected = SqlDialect.fromJdbcUrl(metaData.getURL());
			if (detected == SqlDialect.UNKNOWN) {
				detected = SqlDialect.fromProductName(metaData.getDatabaseProductName());
			}
		}
		catch (SQLException | RuntimeException ex) {
			// Keep UNKNOWN.
		}
		this.dialect = detected;
		return detected;
	}

	SqlDialect dialect() {
		return this.dialect;
	}

	private void track(QueryScope.State scope, Fingerprint fingerprint, QueryInfo query) {
		QueryScope.Tally tally = scope.tally(fingerprint);
		if (tally == null) {
			return;
		}
		tally.executions++;
		if (tally.reporter != null) {
			return;
		}
		if (tally.addParameters(parameterHash(query)) >= this.settings.nPlusOneThreshold()) {
			tally.reporter = this;
			tally.caller = Callers.find();
			scope.suspects.add(tally);
			if (this.settings.strict()) {
				throw new NPlusOneException("N+1 in " + scope.entryPoint + " from " + tally.caller + ": "
						+ tally.executions + " x " + fingerprint.sql());
			}
		}
	}

	private static long parameterHash(QueryInfo query) {
		List<List<ParameterSetOperation>> sets = query.getParametersList();
		if (sets.isEmpty()) {
			// A plain Statement carries its values in the text.
			return query.getQuery().hashCode();
		}
		long hash = NO_PARAMETERS;
		for (int i = 0; i < sets.size(); i++) {
			List<ParameterSetOperation> operations = sets.get(i);
			for (int j = 0; j < operations.size(); j++) {
				Object[] args = operations.get(j).getArgs();
				hash = hash * 31 + Objects.hashCode(args[0]);
				hash = hash * 31 + ((args.length > 1) ? Objects.hashCode(args[1]) : 0);
			}
		}
		return hash;
	}

	@Override
	public void report(String entryPoint, QueryScope.Tally tally) {
		this.nPlusOne.increment();
		this.suspects.report(this.dataSource, entryPoint, tally);
	}

	private FingerprintStatistics resolve(String sql) {
		SqlDialect dialect = this.dialect;
		Fingerprint fingerprint = Fingerprint.of(sql, (dialect != null) ? dialect : SqlDialect.UNKNOWN);
		FingerprintStatistics existing = this.byFingerprint.get(fingerprint.sql());
		if (existing != null) {
			return existing;
		}
		if (this.distinct.getAndIncrement() >= this.settings.maxFingerprints()) {
			this.distinct.decrementAndGet();
			return this.overflow;
		}
		FingerprintStatistics created = new FingerprintStatistics(fingerprint, timerFor(fingerprint));
		FingerprintStatistics raced = this.byFingerprint.putIfAbsent(fingerprint.sql(), created);
		if (raced != null) {
			this.distinct.decrementAndGet();
			return raced;
		}
		return created;
	}

	private Timer timerFor(Fingerprint fingerprint) {
		synchronized (this.taggedTimers) {
			Timer tagged = this.taggedTimers.get(fingerprint.id());
			if (tagged != null) {
				return tagged;
			}
			if (this.taggedTimers.size() < this.settings.maxTaggedFingerprints()) {
				return this.taggedTimers.computeIfAbsent(fingerprint.id(), this::timer);
			}
		}
		return this.otherTimer;
	}

	/**
	 * Give the fingerprint tags to the fingerprints with the largest total time: those
	 * leaving the top have their timer removed and record under {@code other} from now on,
	 * those entering it get a timer of their own. The number of tagged timers never
	 * exceeds the bound.
	 */
	void retag() {
		int max = this.settings.maxTaggedFingerprints();
		// Totals are read once: they move while statements run, and a sort needs them still.
		List<Ranked> totals = new ArrayList<>();
		this.byFingerprint.values().forEach((statistics) -> totals.add(new Ranked(statistics, statistics.totalNanos())));
		totals.sort(Comparator.comparingLong(Ranked::totalNanos).reversed());
		List<FingerprintStatistics> ranked = totals.stream().map(Ranked::statistics).toList();
		List<FingerprintStatistics> top = ranked.subList(0, Math.min(max, ranked.size()));
		Set<String> topIds = new HashSet<>();
		top.forEach((statistics) -> topIds.add(statistics.fingerprint.id()));
		synchronized (this.taggedTimers) {
			for (FingerprintStatistics statistics : ranked) {
				if (!topIds.contains(statistics.fingerprint.id())) {
					statistics.timer = this.otherTimer;
				}
			}
			this.taggedTimers.entrySet().removeIf((entry) -> {
				if (topIds.contains(entry.getKey())) {
					return false;
				}
				this.registry.remove(entry.getValue());
				return true;
			});
			for (FingerprintStatistics statistics : top) {
				statistics.timer = this.taggedTimers.computeIfAbsent(statistics.fingerprint.id(), this::timer);
			}
		}
	}

	private record Ranked(FingerprintStatistics statistics, long totalNanos) {
	}

	List<QueryStatisticsSnapshot.Query> snapshot() {
		List<QueryStatisticsSnapshot.Query> queries = new ArrayList<>();
		this.byFingerprint.values().forEach((statistics) -> queries.add(statistics.snapshot(this.dataSource)));
		FingerprintStatistics overflow = this.overflow;
		if (overflow.count() > 0) {
			queries.add(overflow.snapshot(this.dataSource));
		}
		return queries;
	}

	List<ExplainedPlan> plans() {
		return (this.explainer != null) ? this.explainer.plans() : List.of();
	}

	void reset() {
		if (this.explainer != null) {
			this.explainer.clear();
		}
		this.bySql.invalidateAll();
		this.byFingerprint.clear();
		this.distinct.set(0);
		this.overflow = new FingerprintStatistics(Fingerprint.OVERFLOW, this.otherTimer);
		// Again, so that a lookup racing the clear cannot leave a discarded object cached.
		this.bySql.invalidateAll();
	}

}
