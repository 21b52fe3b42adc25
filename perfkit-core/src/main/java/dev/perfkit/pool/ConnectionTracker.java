package dev.perfkit.pool;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.perfkit.query.LatencyHistogram;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import net.ttddyy.dsproxy.ConnectionInfo;
import net.ttddyy.dsproxy.listener.MethodExecutionContext;
import net.ttddyy.dsproxy.listener.MethodExecutionListener;

/**
 * Follows the connections borrowed through a perfkit-wrapped data source: how long
 * borrowing took, how many are out at once, and which are held longer than the leak
 * threshold.
 * <p>
 * <b>Implementation note.</b> Borrow and close are seen by datasource-proxy's method
 * listener on the borrowing thread; each costs a map put or remove keyed by the
 * connection's identity. Nothing is scheduled per connection: {@link #sweep()} is run by
 * one periodic task per application (or on demand) and flags each long-held connection
 * once, capturing the holding thread's stack at that moment. A connection closed while a
 * sweep runs is either flagged or not; a flag is never counted twice because the
 * {@code flagged} field is only set under the borrow's own monitor.
 */
public final class ConnectionTracker implements MethodExecutionListener {

	/** Bound on the leak suspects kept for the actuator view. */
	static final int MAX_SUSPECTS = 50;

	private static final double[] P99 = { 0.99 };

	private final String pool;

	private final long thresholdNanos;

	private final Counter leaks;

	private final ConcurrentHashMap<ConnectionInfo, Borrow> borrowed = new ConcurrentHashMap<>();

	private final AtomicInteger inUse = new AtomicInteger();

	private final AtomicInteger peakInUse = new AtomicInteger();

	private final LatencyHistogram acquire = new LatencyHistogram();

	private volatile long maxAcquireNanos;

	private final ConcurrentLinkedDeque<LeakSuspect> suspects = new ConcurrentLinkedDeque<>();

	/**
	 * Create a tracker.
	 * @param pool the pool name, used as the {@code pool} tag
	 * @param leakThreshold a connection held at least this long is a leak suspect
	 * @param registry where the {@code perfkit.pool.leak.suspects} counter goes
	 */
	public ConnectionTracker(String pool, Duration leakThreshold, MeterRegistry registry) {
		this.pool = pool;
		this.thresholdNanos = leakThreshold.toNanos();
		this.leaks = Counter.builder("perfkit.pool.leak.suspects")
			.description("Connections held longer than the leak threshold")
			.tag("pool", pool)
			.register(registry);
	}

	@Override
	public void beforeMethod(MethodExecutionContext context) {
	}

	@Override
	public void afterMethod(MethodExecutionContext context) {
		if (context.getThrown() != null) {
			return;
		}
		Object target = context.getTarget();
		String method = context.getMethod().getName();
		if (target instanceof DataSource && "getConnection".equals(method)) {
			borrowed(context.getConnectionInfo(), context.getElapsedTime());
		}
		else if (target instanceof Connection && "close".equals(method)) {
			released(context.getConnectionInfo());
		}
	}

	private void borrowed(ConnectionInfo connection, long acquireNanos) {
		if (connection == null) {
			return;
		}
		this.acquire.record(acquireNanos);
		if (acquireNanos > this.maxAcquireNanos) {
			this.maxAcquireNanos = acquireNanos;
		}
		this.borrowed.put(connection, new Borrow(Thread.currentThread(), System.nanoTime()));
		this.peakInUse.accumulateAndGet(this.inUse.incrementAndGet(), Math::max);
	}

	private void released(ConnectionInfo connection) {
		if (connection != null && this.borrowed.remove(connection) != null) {
			this.inUse.decrementAndGet();
		}
	}

	/**
	 * Flag connections held longer than the threshold, each once.
	 * @return how many were newly flagged
	 */
	public int sweep() {
		long now = System.nanoTime();
		int flagged = 0;
		for (Borrow borrow : this.borrowed.values()) {
			long held = now - borrow.since;
			if (held >= this.thresholdNanos && borrow.flag()) {
				flagged++;
				List<String> stack = Arrays.stream(borrow.thread.getStackTrace()).map(String::valueOf).toList();
				this.suspects.addFirst(new LeakSuspect(this.pool, borrow.thread.getName(), Duration.ofNanos(held),
						Instant.now(), stack));
				while (this.suspects.size() > MAX_SUSPECTS) {
					this.suspects.pollLast();
				}
				// Counted after the suspect is listed: a reader that sees the count also
				// finds the suspect.
				this.leaks.increment();
			}
		}
		return flagged;
	}

	/**
	 * Return the leak suspects, newest first.
	 * @return the suspects
	 */
	public List<LeakSuspect> leakSuspects() {
		return new ArrayList<>(this.suspects);
	}

	/**
	 * Return the pool name.
	 * @return the name
	 */
	public String pool() {
		return this.pool;
	}

	int peakInUse() {
		return this.peakInUse.get();
	}

	Duration acquireP99() {
		return Duration.ofNanos(this.acquire.quantiles(P99, this.maxAcquireNanos)[0]);
	}

	private static final class Borrow {

		final Thread thread;

		final long since;

		private boolean flagged;

		Borrow(Thread thread, long since) {
			this.thread = thread;
			this.since = since;
		}

		synchronized boolean flag() {
			if (this.flagged) {
				return false;
			}
			this.flagged = true;
			return true;
		}

	}

}
