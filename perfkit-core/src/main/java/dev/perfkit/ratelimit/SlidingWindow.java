package dev.perfkit.ratelimit;

/**
 * One key's sliding-window counters in memory: per limit, the start of the current fixed
 * window and the counts of the current and previous ones. The same rules and arithmetic
 * as the Lua script's sliding window ({@link Figures#slidingWindow}).
 * <p>
 * Concurrency: {@link #check} and {@link #refund} are synchronized; one key's checks are
 * serialized, as they are on Redis.
 */
final class SlidingWindow {

	private final long[] starts;

	private final long[] currents;

	private final long[] previouses;

	SlidingWindow(Quota quota) {
		int limits = quota.limits().size();
		this.starts = new long[limits];
		this.currents = new long[limits];
		this.previouses = new long[limits];
		java.util.Arrays.fill(this.starts, Long.MIN_VALUE);
	}

	synchronized Decision check(Quota quota, long cost, boolean dryRun, long now, Decision.Source source) {
		int limits = quota.limits().size();
		boolean allowed = true;
		for (int i = 0; i < limits; i++) {
			Limit limit = quota.limits().get(i);
			roll(i, limit.windowMillis(), now);
			long window = limit.windowMillis();
			long elapsed = now - this.starts[i];
			if (this.previouses[i] * (window - elapsed) + (this.currents[i] + cost) * window > limit.capacity() * window) {
				allowed = false;
			}
		}
		boolean charged = allowed && !dryRun;
		long[] figures = new long[3 * limits];
		for (int i = 0; i < limits; i++) {
			Limit limit = quota.limits().get(i);
			if (charged) {
				this.currents[i] += cost;
			}
			Figures.slidingWindow(figures, i, limit, this.previouses[i], this.currents[i], now - this.starts[i], cost);
		}
		return Decision.of(allowed, quota, figures, now, source);
	}

	/**
	 * Give back a charge made at the given time, from the fixed window it fell in.
	 * @param quota the quota
	 * @param cost the permits to give back
	 * @param time the charge's time
	 * @param now the current time
	 */
	synchronized void refund(Quota quota, long cost, long time, long now) {
		for (int i = 0; i < quota.limits().size(); i++) {
			long window = quota.limits().get(i).windowMillis();
			roll(i, window, now);
			long start = Math.floorDiv(time, window) * window;
			if (start == this.starts[i]) {
				this.currents[i] = Math.max(0, this.currents[i] - cost);
			}
			else if (start == this.starts[i] - window) {
				this.previouses[i] = Math.max(0, this.previouses[i] - cost);
			}
		}
	}

	/** Move limit i's counters to the fixed window holding {@code now}. */
	private void roll(int i, long window, long now) {
		long start = Math.floorDiv(now, window) * window;
		if (start == this.starts[i]) {
			return;
		}
		// A clock that steps back keeps the newer window: time never runs backwards here.
		if (start < this.starts[i]) {
			return;
		}
		this.previouses[i] = (start - window == this.starts[i]) ? this.currents[i] : 0;
		this.currents[i] = 0;
		this.starts[i] = start;
	}

}
