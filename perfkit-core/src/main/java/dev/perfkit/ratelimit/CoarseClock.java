package dev.perfkit.ratelimit;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The wall clock in whole milliseconds, read from a field that one daemon thread refreshes
 * every millisecond while the clock is in use: for the local token buckets, where reading
 * {@link System#currentTimeMillis()} on every check costs about as much as the bucket's own
 * arithmetic.
 * <p>
 * <b>Implementation note.</b> A reader does one volatile read of the time, plus one of a
 * "read since the last tick" flag, which it sets only when it finds it clear (one write per
 * tick, not per read). The ticker refreshes the time every millisecond; when a whole
 * {@link #IDLE_TICKS idle period} passes without a read it clears the time and ends, so an
 * idle application has no thread waking a thousand times a second and nothing holds on to
 * its class loader. A reader that finds the time cleared reads the system clock itself and
 * starts a new ticker. Should a thread not start (a pathological lack of native threads),
 * the clock reads the system clock from then on.
 * <p>
 * The time read is at most one tick behind the system clock while the ticker gets CPU
 * (parking for a millisecond takes a little more, so about 1.1 ms); on a starved machine it
 * can lag by as long as the ticker waits to run. A token bucket on a lagging clock refills
 * a little later, and when the lag shrinks again it catches up, so over any interval it can
 * admit at most {@code rate × lag} more than on the system clock (0.002 of a permit for
 * 120 per minute and a 1 ms lag). After a pause of the whole process (a long GC pause, a
 * frozen container) the lag is the pause until the ticker runs again, which by the same
 * bound is at most one extra burst of the bucket's capacity. The exact sliding logs do
 * not use this clock.
 */
final class CoarseClock implements LongSupplier {

	/** The clock for the local token buckets. */
	static final CoarseClock INSTANCE = new CoarseClock(TimeUnit.SECONDS.toMillis(1));

	/** How long the ticker waits between refreshes. */
	private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	/** Ticks without a read after which the ticker ends. */
	private final long idleTicks;

	private final AtomicBoolean running = new AtomicBoolean();

	/** The time, epoch milliseconds; 0 while no ticker refreshes it. */
	private volatile long now;

	/** Whether the time was read since the ticker last looked. */
	private volatile boolean read;

	private volatile boolean disabled;

	private volatile Thread ticker;

	CoarseClock(long idleTicks) {
		this.idleTicks = idleTicks;
	}

	@Override
	public long getAsLong() {
		long now = this.now;
		if (now == 0) {
			return start();
		}
		if (!this.read) {
			this.read = true;
		}
		return now;
	}

	/**
	 * Return the last ticker started (for tests).
	 * @return the thread, or {@code null} before the first read
	 */
	Thread ticker() {
		return this.ticker;
	}

	private long start() {
		long now = System.currentTimeMillis();
		if (!this.disabled && this.running.compareAndSet(false, true)) {
			try {
				Thread ticker = new Thread(this::tick, "perfkit-clock");
				ticker.setDaemon(true);
				ticker.start();
				this.ticker = ticker;
			}
			catch (Throwable ex) {
				this.disabled = true;
				this.running.set(false);
			}
		}
		return now;
	}

	private void tick() {
		long idle = 0;
		this.read = true;
		while (true) {
			this.now = System.currentTimeMillis();
			LockSupport.parkNanos(this, TICK_NANOS);
			if (this.read) {
				this.read = false;
				idle = 0;
			}
			else if (++idle >= this.idleTicks) {
				// Readers see 0 and read the system clock until a new ticker runs; only
				// then may one start (so this thread never writes the time again).
				this.now = 0;
				this.running.set(false);
				return;
			}
		}
	}

}
