package dev.perfkit.query;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import net.ttddyy.dsproxy.listener.MethodExecutionListener;
import net.ttddyy.dsproxy.proxy.NanoTimeStopwatchFactory;
import net.ttddyy.dsproxy.proxy.ProxyConfig;
import net.ttddyy.dsproxy.support.ProxyDataSource;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;

/**
 * perfkit's query insight engine: wraps data sources with datasource-proxy and keeps, per
 * data source, bounded statistics per fingerprint and N+1 detection, and writes a
 * slow-query log bounded in lines per second.
 * <p>
 * <b>Implementation note.</b> Each wrapped data source gets its own listener (see
 * {@code QueryListener} for the per-statement rules) so statistics stay per pool; the N+1
 * suspects table is shared, as scopes span data sources, and so is the slow-query log, as
 * its bound on lines per second protects the application's one logging backend. The
 * wrapper is a {@link ProxyDataSource}, which answers {@code unwrap}/{@code isWrapperFor}
 * through to the target, so Spring Boot's pool metrics still find the HikariCP pool.
 * Wrapping the same name twice reuses the first listener: statistics are never split.
 */
public final class QueryInsight {

	private final QuerySettings settings;

	private final MeterRegistry registry;

	private final NPlusOneSuspects suspects;

	private final SlowQueryLog slowLog;

	private final Map<String, QueryListener> listeners = new ConcurrentHashMap<>();

	/**
	 * Create an engine.
	 * @param settings the settings
	 * @param registry where meters go, or {@code null} for none
	 */
	public QueryInsight(QuerySettings settings, MeterRegistry registry) {
		this(settings, registry, Clock.systemUTC());
	}

	QueryInsight(QuerySettings settings, MeterRegistry registry, Clock clock) {
		this(settings, registry, clock, System::nanoTime);
	}

	QueryInsight(QuerySettings settings, MeterRegistry registry, Clock clock, LongSupplier nanoTime) {
		this.settings = settings;
		this.registry = (registry != null) ? registry : new CompositeMeterRegistry();
		this.suspects = new NPlusOneSuspects(clock);
		this.slowLog = new SlowQueryLog(settings, nanoTime);
	}

	/**
	 * Return the settings.
	 * @return the settings
	 */
	public QuerySettings settings() {
		return this.settings;
	}

	/**
	 * Wrap a data source so that its statements are measured.
	 * @param dataSource the data source, typically a connection pool
	 * @param name the name used in logs, meter tags and the snapshot
	 * @return the wrapping data source
	 */
	public ProxyDataSource wrap(DataSource dataSource, String name) {
		return wrap(dataSource, name, null);
	}

	/**
	 * Wrap a data source so that its statements are measured, adding a method listener
	 * (for connection-level concerns such as leak detection).
	 * @param dataSource the data source
	 * @param name the name used in logs, meter tags and the snapshot
	 * @param methodListener an extra listener, or {@code null}
	 * @return the wrapping data source
	 */
	public ProxyDataSource wrap(DataSource dataSource, String name, MethodExecutionListener methodListener) {
		return wrap(dataSource, name, methodListener, null);
	}

	/**
	 * Wrap a data source so that its statements are measured, with a method listener and
	 * an explainer of slow SELECT statements.
	 * @param dataSource the data source
	 * @param name the name used in logs, meter tags and the snapshot
	 * @param methodListener an extra listener, or {@code null}
	 * @param explainer explains slow SELECT statements, or {@code null}
	 * @return the wrapping data source
	 */
	public ProxyDataSource wrap(DataSource dataSource, String name, MethodExecutionListener methodListener,
			PlanExplainer explainer) {
		return wrap(dataSource, name, methodListener, explainer, null);
	}

	/**
	 * Wrap a data source so that its statements are measured, with a method listener, an
	 * explainer of slow SELECT statements and the dialect its statements are read in.
	 * @param dataSource the data source
	 * @param name the name used in logs, meter tags and the snapshot
	 * @param methodListener an extra listener, or {@code null}
	 * @param explainer explains slow SELECT statements, or {@code null}
	 * @param dialect the dialect, or {@code null} to tell it from the metadata of the
	 * first connection that runs a statement ({@link SqlDialect#UNKNOWN} if that fails)
	 * @return the wrapping data source
	 */
	public ProxyDataSource wrap(DataSource dataSource, String name, MethodExecutionListener methodListener,
			PlanExplainer explainer, SqlDialect dialect) {
		QueryListener listener = this.listeners.computeIfAbsent(name,
				(key) -> new QueryListener(key, this.settings, this.registry, this.suspects, this.slowLog, explainer,
						dialect));
		ProxyDataSourceBuilder builder = ProxyDataSourceBuilder.create(dataSource)
			.name(name)
			.listener(listener);
		if (methodListener != null) {
			builder.methodListener(methodListener);
		}
		ProxyDataSource proxy = builder.build();
		// Durations in nanoseconds: the default stopwatch has millisecond resolution.
		proxy.setProxyConfig(ProxyConfig.Builder.from(proxy.getProxyConfig())
			.stopwatchFactory(new NanoTimeStopwatchFactory())
			.build());
		return proxy;
	}

	/**
	 * Return the current statistics and N+1 suspects of every data source.
	 * @return an immutable snapshot
	 */
	public QueryStatisticsSnapshot snapshot() {
		List<QueryStatisticsSnapshot.Query> queries = new ArrayList<>();
		this.listeners.values().forEach((listener) -> queries.addAll(listener.snapshot()));
		queries.sort(Comparator.comparing(QueryStatisticsSnapshot.Query::total).reversed());
		List<ExplainedPlan> plans = new ArrayList<>();
		this.listeners.values().forEach((listener) -> plans.addAll(listener.plans()));
		return new QueryStatisticsSnapshot(java.time.Instant.now(), List.copyOf(queries), this.suspects.list(),
				List.copyOf(plans));
	}

	/**
	 * Move the {@code fingerprint} meter tags to the fingerprints with the largest total
	 * time on each data source; the others record under {@code fingerprint=other}. Run
	 * periodically (the starter does it every minute).
	 */
	public void retagFingerprints() {
		this.listeners.values().forEach(QueryListener::retag);
	}

	/**
	 * Forget all statistics and N+1 suspects. Meters keep their cumulative values, as
	 * Micrometer meters do.
	 */
	public void reset() {
		this.listeners.values().forEach(QueryListener::reset);
		this.suspects.clear();
	}

}
