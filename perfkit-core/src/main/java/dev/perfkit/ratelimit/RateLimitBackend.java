package dev.perfkit.ratelimit;

import java.util.concurrent.CompletableFuture;

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

	/**
	 * Check like {@link #check}, without blocking the calling thread: for reactive callers.
	 * The default decides on the calling thread, which suits a backend that does no I/O.
	 * @param quota the limits to apply, all atomically
	 * @param key the caller's identity within the tier
	 * @param cost the permits to take
	 * @param dryRun whether only to tell whether the request would pass
	 * @return the decision, failed with {@link dev.perfkit.redis.RedisUnavailableException}
	 * when a remote backend cannot answer
	 */
	default CompletableFuture<Decision> checkAsync(Quota quota, String key, long cost, boolean dryRun) {
		try {
			return CompletableFuture.completedFuture(check(quota, key, cost, dryRun));
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * Refund like {@link #refund}, without blocking the calling thread.
	 * @param quota the quota that was checked
	 * @param key the caller's identity within the tier
	 * @param cost the permits to give back
	 * @param chargedAtMillis the charging decision's {@link Decision#timeMillis() time}
	 * @return completes when the permits are back, failed when they could not be given back
	 */
	default CompletableFuture<Void> refundAsync(Quota quota, String key, long cost, long chargedAtMillis) {
		try {
			refund(quota, key, cost, chargedAtMillis);
			return CompletableFuture.completedFuture(null);
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

}
