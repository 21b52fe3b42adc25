package dev.perfkit.cache;

import java.util.List;

/**
 * An immutable view of every perfkit cache at one moment, for the actuator: what meters
 * cannot carry on their own (each cache's mode, TTLs and size, the breaker and the
 * invalidation channel).
 *
 * @param redisAvailable whether Redis commands would be attempted now
 * @param breakerState the circuit breaker's state: {@code CLOSED}, {@code HALF_OPEN} or
 * {@code OPEN}, or {@code NONE} without Redis
 * @param subscribed whether the invalidation subscription is live
 * @param caches one entry per cache
 * @param tracking Redis client tracking for the caches whose invalidation mode uses it:
 * {@code on}, {@code off} (not enabled yet, or lost: their local copies may miss changes
 * until it is on again and they are flushed), or {@code unused} when no cache uses it
 */
public record CacheStatisticsSnapshot(boolean redisAvailable, String breakerState, boolean subscribed,
		List<CacheView> caches, String tracking) {

	/**
	 * A snapshot without client tracking.
	 */
	public CacheStatisticsSnapshot(boolean redisAvailable, String breakerState, boolean subscribed,
			List<CacheView> caches) {
		this(redisAvailable, breakerState, subscribed, caches, "unused");
	}

	/**
	 * One cache.
	 *
	 * @param name the cache name
	 * @param mode its tiers
	 * @param ttlMillis the remote TTL
	 * @param localTtlMillis the local TTL
	 * @param localSize the local tier's estimated size
	 * @param localMaxSize the local bound
	 * @param counts the counts since start
	 * @param reconciling whether writes that could not reach Redis (or whose announcement
	 * failed) still wait to be deleted there and announced; other instances may serve the
	 * values they replaced until then
	 */
	public record CacheView(String name, CacheMode mode, long ttlMillis, long localTtlMillis, long localSize,
			long localMaxSize, Counts counts, boolean reconciling) {
	}

	/**
	 * A cache's counts since start.
	 *
	 * @param localHits local hits
	 * @param localMisses local misses
	 * @param remoteHits remote hits
	 * @param remoteMisses remote misses
	 * @param loads calls of the cached method (or loader)
	 * @param puts writes
	 * @param remoteErrors failed Redis calls
	 * @param decodeFailures entries in Redis that could not be read
	 * @param invalidationsSent invalidation messages sent
	 * @param invalidationsReceived invalidation messages received from other instances
	 */
	public record Counts(long localHits, long localMisses, long remoteHits, long remoteMisses, long loads, long puts,
			long remoteErrors, long decodeFailures, long invalidationsSent, long invalidationsReceived) {
	}

}
