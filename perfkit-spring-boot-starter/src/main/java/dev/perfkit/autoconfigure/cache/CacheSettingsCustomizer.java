package dev.perfkit.autoconfigure.cache;

import dev.perfkit.cache.CacheSettings;

/**
 * Adjusts the settings of a cache after the properties are applied: the place for what
 * properties cannot say, such as a per-entry TTL function or a codec instance. Beans of
 * this type are applied in order.
 */
@FunctionalInterface
public interface CacheSettingsCustomizer {

	/**
	 * Return the settings to use for a cache.
	 * @param cacheName the cache name
	 * @param settings the settings from the properties
	 * @return the settings to use, for example {@code settings.withEntryTtl(...)}
	 */
	CacheSettings customize(String cacheName, CacheSettings settings);

}
