package dev.perfkit.cache;

import java.time.Duration;

/**
 * Chooses the remote time to live of one entry, for example from the customer's plan.
 * The local tier keeps the entry for the shorter of this and the cache's local TTL.
 */
@FunctionalInterface
public interface EntryTtl {

	/**
	 * Return the time to live of an entry.
	 * @param key the cache key's string form (as stored in Redis, after the cache name)
	 * @param value the value, never {@code null} (null values use the null TTL)
	 * @return a positive duration, or {@code null} for the cache's default TTL
	 */
	Duration ttl(Object key, Object value);

}
