package dev.perfkit.ratelimit;

/**
 * The arithmetic both backends share, in whole milliseconds and exact integers, so that
 * the Lua script (which mirrors these lines) and the local limiter agree to the last
 * millisecond. A token level is kept as {@code tokens × window-millis}: refilling
 * {@code N} per {@code W} adds {@code N} per elapsed millisecond.
 */
final class Figures {

	private Figures() {
	}

	/**
	 * Write a token bucket's figures for one limit.
	 * @param figures the flattened {@code remaining, reset, retry} array
	 * @param index the limit's index
	 * @param limit the limit
	 * @param level the level after this request, in token-milliseconds
	 * @param cost the request's cost
	 */
	static void tokenBucket(long[] figures, int index, Limit limit, long level, long cost) {
		long window = limit.windowMillis();
		long capacity = limit.capacity();
		figures[3 * index] = level / window;
		figures[3 * index + 1] = ceilDiv(capacity * window - level, capacity);
		long needed = cost * window;
		figures[3 * index + 2] = (level >= needed) ? 0 : ceilDiv(needed - level, capacity);
	}

	/**
	 * Write a sliding-window counter's figures for one limit: the permits left, when the
	 * estimate is back to zero, and when a request of the cost fits.
	 * @param figures the flattened {@code remaining, reset, retry} array
	 * @param index the limit's index
	 * @param limit the limit
	 * @param previous the previous fixed window's count
	 * @param current the current fixed window's count, after this request
	 * @param elapsed milliseconds since the current fixed window began
	 * @param cost the request's cost
	 */
	static void slidingWindow(long[] figures, int index, Limit limit, long previous, long current, long elapsed,
			long cost) {
		long window = limit.windowMillis();
		long capacity = limit.capacity();
		long free = capacity * window - previous * (window - elapsed) - current * window;
		figures[3 * index] = Math.max(0, Math.floorDiv(free, window));
		figures[3 * index + 1] = (current > 0) ? 2 * window - elapsed : (previous > 0) ? window - elapsed : 0;
		figures[3 * index + 2] = slidingWindowRetry(window, capacity, previous, current, elapsed, cost);
	}

	/** Return when a request of the cost fits, in ms from now (0 when it does now). */
	static long slidingWindowRetry(long window, long capacity, long previous, long current, long elapsed, long cost) {
		long room = capacity - cost - current;
		if (room >= 0) {
			// in this window, once previous·(W−e) ≤ room·W
			long at = (previous == 0) ? 0 : window - Math.floorDiv(room * window, previous);
			if (at < window) {
				return Math.max(0, at - elapsed);
			}
		}
		// in the next window, where this one's count becomes the previous
		long at = (current == 0) ? 0 : window - Math.floorDiv((capacity - cost) * window, current);
		return (window - elapsed) + Math.min(Math.max(at, 0), window);
	}

	static long ceilDiv(long dividend, long divisor) {
		return -Math.floorDiv(-dividend, divisor);
	}

}
