package dev.perfkit.ratelimit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The limits that one check applies: a tier's, or its plan's, with the algorithm. Its
 * {@link #fingerprint() fingerprint} goes into the storage key, so that changed limits
 * take effect on restart with fresh counters, without deleting keys (the old ones expire).
 * Immutable in value (equality, hash and fingerprint never change); the fingerprint and hash
 * are computed once, since every check uses them.
 */
public final class Quota {

	private final String tier;

	private final String plan;

	private final Algorithm algorithm;

	private final List<Limit> limits;

	private final String fingerprint;

	private final long longestWindowMillis;

	private final long smallestCapacity;

	private final int hash;

	/**
	 * The local limiter's keys of this quota, remembered here so that a check skips the
	 * map lookup. Written without synchronization: {@code LocalRateLimiter} checks that the
	 * value is its own (its final fields make it safely published) and else looks it up.
	 */
	Object localStates;

	/**
	 * The Redis backend's encoding of this quota (key prefix and limit arguments),
	 * remembered here on the same terms as {@link #localStates}.
	 */
	Object redisEncoding;

	/**
	 * Create a quota.
	 * @param tier the tier's name
	 * @param plan the plan whose limits these are, or {@code null} for the tier's own
	 * @param algorithm how to count
	 * @param limits the limits, at least one, all checked atomically
	 */
	public Quota(String tier, String plan, Algorithm algorithm, List<Limit> limits) {
		this.tier = Objects.requireNonNull(tier, "tier");
		this.plan = plan;
		this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
		this.limits = List.copyOf(limits);
		if (this.limits.isEmpty()) {
			throw new IllegalArgumentException("A quota needs at least one limit");
		}
		if (algorithm == Algorithm.SLIDING_LOG) {
			for (Limit limit : this.limits) {
				if (limit.capacity() > SlidingLog.MAX_ENTRIES) {
					throw new IllegalArgumentException("A sliding log keeps one entry per permit, so its limits may hold "
							+ "at most " + SlidingLog.MAX_ENTRIES + " permits, and " + limit + " holds more: use the "
							+ "sliding-window or token-bucket algorithm for it");
				}
			}
		}
		CRC32C crc = new CRC32C();
		crc.update((algorithm + ":" + this.limits).getBytes(StandardCharsets.UTF_8));
		this.fingerprint = String.format("%08x", crc.getValue());
		long longest = 0;
		long smallest = Long.MAX_VALUE;
		for (Limit limit : this.limits) {
			longest = Math.max(longest, limit.windowMillis());
			smallest = Math.min(smallest, limit.capacity());
		}
		this.longestWindowMillis = longest;
		this.smallestCapacity = smallest;
		this.hash = Objects.hash(tier, plan, algorithm, this.limits);
	}

	/**
	 * Return the tier's name.
	 * @return the tier
	 */
	public String tier() {
		return this.tier;
	}

	/**
	 * Return the plan whose limits these are.
	 * @return the plan, or {@code null} for the tier's own limits
	 */
	public String plan() {
		return this.plan;
	}

	/**
	 * Return how to count.
	 * @return the algorithm
	 */
	public Algorithm algorithm() {
		return this.algorithm;
	}

	/**
	 * Return the limits.
	 * @return the limits, in configuration order
	 */
	public List<Limit> limits() {
		return this.limits;
	}

	/**
	 * Return a short, stable hash of the algorithm and limits.
	 * @return eight hex digits
	 */
	public String fingerprint() {
		return this.fingerprint;
	}

	/**
	 * Return the longest window, the time a key must live.
	 * @return the longest window in milliseconds
	 */
	public long longestWindowMillis() {
		return this.longestWindowMillis;
	}

	/**
	 * Return the smallest capacity, the largest cost one call may have.
	 * @return the smallest capacity
	 */
	public long smallestCapacity() {
		return this.smallestCapacity;
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		return other instanceof Quota that && this.hash == that.hash && this.tier.equals(that.tier)
				&& Objects.equals(this.plan, that.plan) && this.algorithm == that.algorithm
				&& this.limits.equals(that.limits);
	}

	@Override
	public int hashCode() {
		return this.hash;
	}

	@Override
	public String toString() {
		return this.tier + ((this.plan != null) ? "[" + this.plan + "]" : "") + " " + this.algorithm + " "
				+ this.limits;
	}

}
