package dev.perfkit.ratelimit;

/**
 * How a tier counts.
 */
public enum Algorithm {

	/**
	 * An exact sliding-window log: every admitted permit is remembered with its time, and
	 * a request is admitted only if, for each limit {@code N/W}, the permits of the last
	 * {@code W} plus its own cost are at most {@code N}. No window of length {@code W}, at
	 * any offset, ever admits more than {@code N}. Memory grows with {@code N}, so it
	 * suits small limits (logins, resets).
	 */
	SLIDING_LOG,

	/**
	 * A sliding-window counter per limit {@code N/W}: counts in the current and the
	 * previous fixed window (aligned to multiples of {@code W}), and the previous window's
	 * count weighted by the part of it still inside the sliding window. A request is
	 * admitted when {@code previous·(W−elapsed)/W + current + cost ≤ N}. Constant memory
	 * (three numbers per limit), for limits too large for an exact log. <b>Error:</b> no
	 * fixed window ever admits more than {@code N}, so a window of length {@code W} at any
	 * offset, which spans at most two, admits at most {@code 2N}; the estimate is exact when
	 * the previous window's requests were spread evenly over it, and over-admits only when
	 * they crowded at its end.
	 */
	SLIDING_WINDOW,

	/**
	 * A token bucket per limit {@code N/W}: capacity {@code N}, refilled continuously at
	 * {@code N} per {@code W}. A fresh or rested key may burst {@code N} at once; over any
	 * span {@code T} at most {@code N + N*T/W} are admitted. Constant memory.
	 */
	TOKEN_BUCKET

}
