package dev.perfkit.report;

import java.util.List;
import java.util.Map;

/**
 * The cache section: one entry per cache seen in {@code perfkit.cache.*} meters.
 *
 * @param breaker the cache engine's Redis breaker ({@code perfkit.cache.breaker.state})
 * @param caches the caches, by name
 * @param details what the cache engine added through a {@link ReportContributor}
 */
public record CacheSection(BreakerState breaker, List<Cache> caches, Map<String, Object> details) {

	/**
	 * Create a section, copying its parts.
	 */
	public CacheSection {
		caches = List.copyOf(caches);
		details = ReportDraft.freeze(details);
	}

	/**
	 * One cache.
	 *
	 * @param name the cache name ({@code cache} tag)
	 * @param hitRate share of gets served by any tier (0..1), null without gets
	 * @param gets gets that reached the cache (the first tier's hits and misses)
	 * @param tiers figures per tier
	 * @param size entries in the local tier ({@code perfkit.cache.size}), null if not published
	 * @param evictions evictions over all tiers
	 * @param puts puts over all tiers
	 * @param loadSuccesses loads that produced a value
	 * @param loadFailures loads that threw
	 * @param meanLoadMillis mean load time, null without loads
	 * @param remoteErrors failed Redis calls
	 * @param meanRemoteLatencyMillis mean Redis call time, null without calls
	 * @param decodeFailures remote values that could not be decoded (treated as misses)
	 * @param invalidationsSent invalidation messages published
	 * @param invalidationsReceived invalidation messages received from other instances
	 * @param localFlushes whole local-tier flushes, for example after a Redis reconnect
	 * @param breaker the shared cache breaker's state (the gauge has no cache tag)
	 * @param details what the cache engine added, such as TTLs or invalidation lag
	 */
	public record Cache(String name, Double hitRate, long gets, List<Tier> tiers, Long size, long evictions, long puts,
			long loadSuccesses, long loadFailures, Double meanLoadMillis, long remoteErrors,
			Double meanRemoteLatencyMillis, long decodeFailures, long invalidationsSent, long invalidationsReceived,
			long localFlushes, BreakerState breaker, Map<String, Object> details) {

		/**
		 * Create a cache entry, copying its parts.
		 */
		public Cache {
			tiers = List.copyOf(tiers);
			details = ReportDraft.freeze(details);
		}

	}

	/**
	 * One tier of one cache.
	 *
	 * @param tier {@code local} or {@code remote} ({@code tier} tag)
	 * @param hits gets answered by this tier
	 * @param misses gets this tier could not answer
	 * @param hitRate hits over hits and misses (0..1), null without gets
	 * @param evictions entries this tier evicted
	 */
	public record Tier(String tier, long hits, long misses, Double hitRate, long evictions) {

	}

}
