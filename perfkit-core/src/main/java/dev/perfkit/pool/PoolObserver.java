package dev.perfkit.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Reads a HikariCP pool's state from its MXBean, which never borrows a connection, so it
 * still answers when the pool is exhausted (Spring Boot's {@code db} health check borrows
 * one and fails exactly then). Registers the {@code perfkit.pool.saturation} gauge; all
 * other pool figures are Boot's own {@code hikaricp.*} meters.
 */
public final class PoolObserver {

	private final String pool;

	private final HikariDataSource dataSource;

	private final ConnectionTracker tracker;

	/**
	 * Create an observer.
	 * @param pool the pool name, used as the {@code pool} tag
	 * @param dataSource the pool
	 * @param tracker the tracker of connections borrowed through perfkit's wrapper, or
	 * {@code null}
	 * @param registry where the saturation gauge goes, or {@code null}
	 */
	public PoolObserver(String pool, HikariDataSource dataSource, ConnectionTracker tracker, MeterRegistry registry) {
		this.pool = pool;
		this.dataSource = dataSource;
		this.tracker = tracker;
		if (registry != null) {
			Gauge.builder("perfkit.pool.saturation", this, (observer) -> observer.snapshot().saturation())
				.description("Connections in use divided by the maximum pool size")
				.tag("pool", pool)
				.register(registry);
		}
	}

	/**
	 * Return the pool name.
	 * @return the name
	 */
	public String pool() {
		return this.pool;
	}

	/**
	 * Return the connection tracker.
	 * @return the tracker, or {@code null}
	 */
	public ConnectionTracker tracker() {
		return this.tracker;
	}

	/**
	 * Read the pool's state now.
	 * @return the snapshot
	 */
	public PoolSnapshot snapshot() {
		HikariPoolMXBean bean = this.dataSource.getHikariPoolMXBean();
		int maximum = this.dataSource.getMaximumPoolSize();
		int peak = (this.tracker != null) ? this.tracker.peakInUse() : 0;
		Duration acquireP99 = (this.tracker != null) ? this.tracker.acquireP99() : Duration.ZERO;
		List<LeakSuspect> leaks = (this.tracker != null) ? this.tracker.leakSuspects() : List.of();
		if (bean == null) {
			return new PoolSnapshot(this.pool, false, 0, 0, 0, maximum, 0, 0, peak, acquireP99, leaks, List.of());
		}
		int active = bean.getActiveConnections();
		int waiting = bean.getThreadsAwaitingConnection();
		double saturation = (maximum > 0) ? Math.min(1.0, (double) active / maximum) : 0;
		return new PoolSnapshot(this.pool, true, active, bean.getIdleConnections(), bean.getTotalConnections(),
				maximum, waiting, saturation, Math.max(peak, active), acquireP99, leaks,
				hints(maximum, Math.max(peak, active), waiting, acquireP99));
	}

	static List<String> hints(int maximum, int peak, int waiting, Duration acquireP99) {
		List<String> hints = new ArrayList<>();
		if (peak >= maximum && (waiting > 0 || acquireP99.compareTo(Duration.ofMillis(10)) >= 0)) {
			hints.add("The pool reached its maximum size of " + maximum + " and callers waited (acquire p99 "
					+ acquireP99.toMillis() + " ms): shorten transactions or raise maximum-pool-size, "
					+ "keeping it within what the database allows.");
		}
		else if (peak > 0 && peak * 2 < maximum) {
			hints.add("At most " + peak + " of " + maximum + " connections were in use at once: a maximum-pool-size of "
					+ Math.max(2, peak * 2) + " would hold fewer idle connections on the database.");
		}
		return hints;
	}

}
