package dev.perfkit.cache;

/**
 * Which tiers a cache uses.
 */
public enum CacheMode {

	/** Caffeine in front of Redis, kept coherent across instances. */
	TWO_TIER,

	/** Caffeine only: nothing leaves the process. */
	LOCAL,

	/** Redis only: every read is a round trip, nothing can be stale locally. */
	REMOTE;

	boolean usesLocal() {
		return this != REMOTE;
	}

	boolean usesRemote() {
		return this != LOCAL;
	}

}
