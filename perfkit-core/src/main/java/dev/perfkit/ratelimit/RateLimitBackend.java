package dev.perfkit.ratelimit;

/**
 * Where a tier's counters live: {@link RedisRateLimiter} (shared by every instance) or
 * {@link LocalRateLimiter} (this instance only). Both decide the same for the same
 * inputs: the same checks on the same times give the same decisions and figures.
 */
public interface RateLimitBackend {

	/**
	 * Check, and unless rejected or a dry run, charge one request.
	 * @param quota the limits to apply, all atomically
	 * @param key the caller's identity within the tier, such as {@code ip:203.0.113.7}
	 * @param cost the permits to take, at most the quota's smallest capacity
	 * @param dryRun whether only to tell whether the request would pass, charging nothing
	 * @return the decision
	 * @throws dev.perfkit.redis.RedisUnavailableException when a remote backend cannot answer
	 */
	Decision check(Quota quota, String key, long cost, boolean dryRun);

	/**
	 * Give back permits that a check charged, atomically, for a charge that turned out not
	 * to be due (a {@code charge-on-status} tier whose response had another status).
	 * @param quota the quota that was checked
	 * @param key the caller's identity within the tier
	 * @param cost the permits to give back
	 * @param chargedAtMillis the charging decision's {@link Decision#timeMillis() time}
	 * @throws dev.perfkit.redis.RedisUnavailableException when a remote backend cannot answer
	 */
	void refund(Quota quota, String key, long cost, long chargedAtMillis);

}
