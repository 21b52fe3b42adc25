package dev.perfkit.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * How a token-bucket tier leases permits from Redis for its hot keys
 * ({@link LeasingRateLimiter}): at most {@code batch} permits in one script call, spent on
 * this instance for at most {@code duration}, after which those left are lost.
 *
 * @param batch the most permits one lease takes, at least 2
 * @param duration how long leased permits may be spent, at least one millisecond
 */
public record LeasePolicy(long batch, Duration duration) {

	/** The lease duration when none is configured. */
	public static final Duration DEFAULT_DURATION = Duration.ofSeconds(1);

	/**
	 * Create a lease policy.
	 * @param batch the most permits one lease takes
	 * @param duration how long leased permits may be spent
	 */
	public LeasePolicy {
		if (batch < 2) {
			throw new IllegalArgumentException("A lease batch must be at least 2 permits, was " + batch);
		}
		Objects.requireNonNull(duration, "duration");
		if (duration.toMillis() < 1) {
			throw new IllegalArgumentException("A lease must last at least 1ms, was " + duration);
		}
	}

	/**
	 * Check that this policy suits a tier: a token bucket whose every limit, of every
	 * quota, holds at least the batch and is no shorter than the lease.
	 * @param tier the tier
	 * @throws IllegalArgumentException naming what does not fit
	 */
	public void requireFits(Tier tier) {
		if (tier.algorithm() != Algorithm.TOKEN_BUCKET) {
			throw new IllegalArgumentException("Tier '" + tier.name() + "' counts with " + tier.algorithm()
					+ ", and only token buckets can lease permits: a leased permit is spent after it was charged, "
					+ "which a sliding log or window would count in the wrong window");
		}
		check(tier, tier.limits());
		tier.plans().values().forEach((limits) -> check(tier, limits));
	}

	private void check(Tier tier, java.util.List<Limit> limits) {
		for (Limit limit : limits) {
			if (limit.capacity() < this.batch) {
				throw new IllegalArgumentException("Tier '" + tier.name() + "' has the limit " + limit
						+ ", which holds fewer permits than the lease batch of " + this.batch);
			}
			if (limit.windowMillis() < this.duration.toMillis()) {
				throw new IllegalArgumentException("Tier '" + tier.name() + "' has the limit " + limit
						+ ", whose window is shorter than the lease duration of " + this.duration.toMillis() + "ms");
			}
		}
	}

}
