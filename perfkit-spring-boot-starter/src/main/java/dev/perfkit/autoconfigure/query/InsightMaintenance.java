package dev.perfkit.autoconfigure.query;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.perfkit.pool.PoolInsight;
import dev.perfkit.query.QueryInsight;

import org.springframework.context.SmartLifecycle;

/**
 * One daemon thread per application for the periodic work of database insight: looking
 * for connections held past the leak threshold (every half threshold) and moving the
 * {@code fingerprint} meter tags to the fingerprints with the largest total time (every
 * minute). Statements never schedule anything.
 */
final class InsightMaintenance implements SmartLifecycle {

	static final Duration RETAG_INTERVAL = Duration.ofMinutes(1);

	private final PoolInsight pools;

	private final QueryInsight queries;

	private final Duration sweepPeriod;

	private volatile ScheduledExecutorService executor;

	InsightMaintenance(PoolInsight pools, QueryInsight queries, Duration leakThreshold) {
		this.pools = pools;
		this.queries = queries;
		Duration half = leakThreshold.dividedBy(2);
		this.sweepPeriod = half.isZero() ? Duration.ofMillis(1) : half;
	}

	@Override
	public void start() {
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "perfkit-query-maintenance");
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this.pools::sweepLeaks, this.sweepPeriod.toMillis(),
				this.sweepPeriod.toMillis(), TimeUnit.MILLISECONDS);
		executor.scheduleWithFixedDelay(this.queries::retagFingerprints, RETAG_INTERVAL.toMillis(),
				RETAG_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
		this.executor = executor;
	}

	@Override
	public void stop() {
		ScheduledExecutorService executor = this.executor;
		if (executor != null) {
			executor.shutdownNow();
			this.executor = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.executor != null;
	}

}
