package dev.perfkit.ratelimit;

/**
 * One key's exact sliding-window log in memory: the times of admitted permits, oldest
 * first, in a ring. The same rules as the Lua script's sliding log: a permit admitted at
 * {@code t} counts in windows ending before {@code t + W}.
 * <p>
 * Concurrency: {@link #check} is synchronized; one key's checks are serialized, as they
 * are on Redis.
 */
final class SlidingLog {

	/**
	 * The largest capacity a sliding-log limit may have: a log keeps one entry per admitted
	 * permit, so this bounds a key's memory (8 KB here, about 0.1 MB in Redis, where up to
	 * 128 entries stay in the compact listpack encoding). Larger limits belong to the
	 * sliding-window counter, whose memory per key is constant.
	 */
	static final int MAX_ENTRIES = 1000;

	private static final int SMALLEST = 8;

	private long[] times;

	private int head;

	private int size;

	SlidingLog(Quota quota) {
		this.times = new long[(int) Math.min(largestCapacity(quota), SMALLEST)];
	}

	/** Return the most entries a key of the quota can hold. */
	static long largestCapacity(Quota quota) {
		long largest = 0;
		for (Limit limit : quota.limits()) {
			largest = Math.max(largest, limit.capacity());
		}
		return largest;
	}

	synchronized Decision check(Quota quota, long cost, boolean dryRun, long clock, Decision.Source source) {
		// A clock that steps back must not unsort the log: time never runs backwards here.
		long now = (this.size > 0) ? Math.max(clock, at(this.size - 1)) : clock;
		long longest = quota.longestWindowMillis();
		while (this.size > 0 && at(0) <= now - longest) {
			this.head = (this.head + 1) % this.times.length;
			this.size--;
		}
		if (this.times.length > SMALLEST && this.size < this.times.length / 4) {
			// A burst's entries have expired: give the memory back, so a key that was busy
			// once does not hold its largest array for as long as it stays cached.
			resize(Math.max(SMALLEST, this.times.length / 2));
		}
		int limits = quota.limits().size();
		int[] counts = new int[limits];
		boolean allowed = true;
		for (int i = 0; i < limits; i++) {
			Limit limit = quota.limits().get(i);
			counts[i] = this.size - firstAfter(now - limit.windowMillis());
			if (counts[i] + cost > limit.capacity()) {
				allowed = false;
			}
		}
		boolean charged = allowed && !dryRun;
		if (charged) {
			for (long c = 0; c < cost; c++) {
				append(now);
			}
		}
		long[] figures = new long[3 * limits];
		for (int i = 0; i < limits; i++) {
			Limit limit = quota.limits().get(i);
			long window = limit.windowMillis();
			figures[3 * i] = Math.max(0, limit.capacity() - counts[i] - (charged ? cost : 0));
			long newest = (this.size > 0) ? at(this.size - 1) : Long.MIN_VALUE;
			figures[3 * i + 1] = (this.size > 0 && newest > now - window) ? newest + window - now : 0;
			if (counts[i] + cost > limit.capacity()) {
				int first = firstAfter(now - window);
				long index = counts[i] + cost - limit.capacity() - 1;
				figures[3 * i + 2] = at(first + (int) index) + window - now;
			}
		}
		return Decision.of(allowed, quota, figures, now, source);
	}

	/**
	 * Remove up to {@code cost} entries made at the given time: a refunded charge. Entries
	 * of one time are interchangeable, so it does not matter whose they were.
	 * @param cost the entries to remove
	 * @param time the charge's time
	 */
	synchronized void refund(long cost, long time) {
		int end = firstAfter(time);
		int start = end;
		while (start > 0 && end - start < cost && at(start - 1) == time) {
			start--;
		}
		int removed = end - start;
		if (removed == 0) {
			return;
		}
		for (int i = start; i + removed < this.size; i++) {
			this.times[(this.head + i) % this.times.length] = at(i + removed);
		}
		this.size -= removed;
	}

	/** Return the position of the first time after the bound (binary search, times ascend). */
	private int firstAfter(long bound) {
		int low = 0;
		int high = this.size;
		while (low < high) {
			int mid = (low + high) >>> 1;
			if (at(mid) <= bound) {
				low = mid + 1;
			}
			else {
				high = mid;
			}
		}
		return low;
	}

	private void resize(int length) {
		long[] resized = new long[length];
		for (int i = 0; i < this.size; i++) {
			resized[i] = at(i);
		}
		this.times = resized;
		this.head = 0;
	}

	/** Return the length of the ring, for tests of its memory. */
	synchronized int capacity() {
		return this.times.length;
	}

	private long at(int position) {
		return this.times[(this.head + position) % this.times.length];
	}

	private void append(long time) {
		if (this.size == this.times.length) {
			resize(this.times.length * 2);
		}
		this.times[(this.head + this.size) % this.times.length] = time;
		this.size++;
	}

}
