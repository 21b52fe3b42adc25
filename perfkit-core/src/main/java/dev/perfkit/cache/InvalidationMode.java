package dev.perfkit.cache;

/**
 * What drops a two-tier cache's local copies when a key changes elsewhere.
 */
public enum InvalidationMode {

	/**
	 * perfkit's own invalidation messages (pub/sub): every write made through perfkit, on
	 * any instance. A key changed in Redis by anyone else (another service, a script,
	 * {@code redis-cli}, expiry, eviction) stays in local tiers until {@code local.ttl}.
	 */
	MESSAGES,

	/**
	 * Redis server-assisted client tracking (RESP3 push messages, Redis 6+, broadcast mode
	 * on the cache's key prefix): every change of a key in Redis, whoever made it, including
	 * expiry and eviction. perfkit's messages and their loss detection are not used for this
	 * cache (writers still publish them, for instances configured otherwise).
	 */
	TRACKING,

	/** Both: a local copy is dropped by whichever arrives first. */
	BOTH;

	boolean usesMessages() {
		return this != TRACKING;
	}

	boolean usesTracking() {
		return this != MESSAGES;
	}

}
