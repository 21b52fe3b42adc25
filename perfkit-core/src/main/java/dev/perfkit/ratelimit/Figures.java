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

	static long ceilDiv(long dividend, long divisor) {
		return -Math.floorDiv(-dividend, divisor);
	}

}
