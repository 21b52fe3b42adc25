package dev.perfkit.ratelimit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The limits that one check applies: a tier's, or its plan's, with the algorithm. Its
 * {@link #fingerprint() fingerprint} goes into the storage key, so that changed limits
 * take effect on restart with fresh counters, without deleting keys (the old ones expire).
 *
 * @param tier the tier's name
 * @param plan the plan whose limits these are, or {@code null} for the tier's own
 * @param algorithm how to count
 * @param limits the limits, all checked atomically
 */
public record Quota(String tier, String plan, Algorithm algorithm, List<Limit> limits) {

	/**
	 * Create a quota.
	 * @param tier the tier
	 * @param plan the plan or {@code null}
	 * @param algorithm the algorithm
	 * @param limits the limits, at least one
	 */
	public Quota {
		limits = List.copyOf(limits);
		if (limits.isEmpty()) {
			throw new IllegalArgumentException("A quota needs at least one limit");
		}
	}

	/**
	 * Return a short, stable hash of the algorithm and limits.
	 * @return eight hex digits
	 */
	public String fingerprint() {
		CRC32C crc = new CRC32C();
		crc.update((this.algorithm + ":" + this.limits).getBytes(StandardCharsets.UTF_8));
		return String.format("%08x", crc.getValue());
	}

	/**
	 * Return the longest window, the time a key must live.
	 * @return the longest window in milliseconds
	 */
	public long longestWindowMillis() {
		long longest = 0;
		for (Limit limit : this.limits) {
			longest = Math.max(longest, limit.windowMillis());
		}
		return longest;
	}

	/**
	 * Return the smallest capacity, the largest cost one call may have.
	 * @return the smallest capacity
	 */
	public long smallestCapacity() {
		long smallest = Long.MAX_VALUE;
		for (Limit limit : this.limits) {
			smallest = Math.min(smallest, limit.capacity());
		}
		return smallest;
	}

}
