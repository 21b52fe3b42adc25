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
	 * A token bucket per limit {@code N/W}: capacity {@code N}, refilled continuously at
	 * {@code N} per {@code W}. A fresh or rested key may burst {@code N} at once; over any
	 * span {@code T} at most {@code N + N*T/W} are admitted. Constant memory.
	 */
	TOKEN_BUCKET

}
