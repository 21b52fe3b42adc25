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
	 * @param freshness stale-if-error and refresh-ahead: settings and counts
	 */
	public record CacheView(String name, CacheMode mode, long ttlMillis, long localTtlMillis, long localSize,
			long localMaxSize, Counts counts, boolean reconciling, FreshnessView freshness) {

		/**
		 * A view with stale-if-error and refresh-ahead off.
		 * @param name the cache name
		 * @param mode its tiers
		 * @param ttlMillis the remote TTL
		 * @param localTtlMillis the local TTL
		 * @param localSize the local tier's estimated size
		 * @param localMaxSize the local bound
		 * @param counts the counts since start
		 * @param reconciling whether writes still wait to be reconciled
		 */
		public CacheView(String name, CacheMode mode, long ttlMillis, long localTtlMillis, long localSize,
				long localMaxSize, Counts counts, boolean reconciling) {
			this(name, mode, ttlMillis, localTtlMillis, localSize, localMaxSize, counts, reconciling,
					new FreshnessView(0, 0, new FreshnessCounts(0, 0, 0, 0, 0, 0, 0)));
		}

	}

	// Freshness: stale-if-error and refresh-ahead (issue 15).

	/**
	 * A cache's stale-if-error and refresh-ahead settings and counts.
	 *
	 * @param staleIfErrorMillis the stale-if-error window, {@code 0} when off
	 * @param refreshAhead the refresh-ahead fraction of the remote TTL, {@code 0} when off
	 * @param counts the counts since start
	 */
	public record FreshnessView(long staleIfErrorMillis, double refreshAhead, FreshnessCounts counts) {
	}

	/**
	 * Stale values served and refresh-ahead reloads since start.
	 *
	 * @param staleServed expired values returned because the loader threw
	 * @param refreshesStarted background reloads started (this instance held the lease)
	 * @param refreshesCompleted reloads whose value was written
	 * @param refreshesSkipped reloads not started because another instance held the lease
	 * (or had just refreshed the entry)
	 * @param refreshesFailed reloads whose loader threw, or whose write could not reach
	 * Redis
	 * @param refreshesBusy reloads not started because this instance's refresh queue was
	 * full
	 * @param refreshesOvertaken reloads whose value was dropped because a write of the key
	 * came first (or the reload was too slow to prove none did)
	 */
	public record FreshnessCounts(long staleServed, long refreshesStarted, long refreshesCompleted,
			long refreshesSkipped, long refreshesFailed, long refreshesBusy, long refreshesOvertaken) {
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
