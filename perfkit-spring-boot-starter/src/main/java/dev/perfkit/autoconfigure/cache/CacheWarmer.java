package dev.perfkit.autoconfigure.cache;

import java.util.Map;

/**
 * Fills a cache when the application is ready: perfkit calls {@link #entries()} once and
 * writes the result with one batch put. A failing warmer is logged and skipped; the
 * application still starts.
 */
public interface CacheWarmer {

	/**
	 * Return the cache to fill.
	 * @return the cache name
	 */
	String cacheName();

	/**
	 * Return the entries to write.
	 * @return the entries by key
	 */
	Map<?, ?> entries();

}
