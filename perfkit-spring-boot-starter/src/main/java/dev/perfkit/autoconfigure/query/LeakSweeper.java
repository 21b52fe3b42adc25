package dev.perfkit.autoconfigure.query;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.perfkit.pool.PoolInsight;

import org.springframework.context.SmartLifecycle;

/**
 * One daemon thread per application that looks for connections held past the leak
 * threshold, every half threshold. Statements never schedule anything.
 */
final class LeakSweeper implements SmartLifecycle {

	private final PoolInsight pools;

	private final Duration period;

	private volatile ScheduledExecutorService executor;

	LeakSweeper(PoolInsight pools, Duration leakThreshold) {
		this.pools = pools;
		this.period = leakThreshold.dividedBy(2).isZero() ? Duration.ofMillis(1) : leakThreshold.dividedBy(2);
	}

	@Override
	public void start() {
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "perfkit-pool-leak-sweeper");
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this.pools::sweepLeaks, this.period.toMillis(), this.period.toMillis(),
				TimeUnit.MILLISECONDS);
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
