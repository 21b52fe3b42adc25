package dev.perfkit.cache;

import java.time.Duration;
import java.util.List;

/**
 * How one cache behaves. Build one from {@link #defaults()} and the {@code with...}
 * methods; the constructor checks that the values can work together.
 *
 * @param mode which tiers the cache uses
 * @param ttl how long an entry lives in Redis
 * @param localTtl how long an entry lives in the local tier, at most {@code ttl}; this is
 * also the bound on staleness when an invalidation is lost without trace
 * @param localMaxSize the most entries the local tier holds
 * @param ttlJitter a fraction (0 to 1) of the remote TTL added at random to each entry,
 * so entries written together do not expire together
 * @param cacheNullValues whether {@code null} results are cached
 * @param nullTtl how long a cached {@code null} lives, at most {@code ttl}
 * @param keyPrefix the prefix of every Redis key, starting with {@code perfkit:}
 * @param codec the codec of the remote tier
 * @param entryTtl chooses a remote TTL per entry, or {@code null} for {@code ttl}
 * @param lease whether a load takes a distributed per-key lease, so that one instance
 * loads a cold key for all
 * @param leaseTtl how long a lease lives if its holder dies
 * @param leaseWait how long an instance waits for another's lease before loading itself
 * @param freshness stale-if-error and refresh-ahead ({@link Freshness#OFF} by default)
 * @param invalidation what drops local copies when a key changes elsewhere
 */
public record CacheSettings(CacheMode mode, Duration ttl, Duration localTtl, long localMaxSize, double ttlJitter,
		boolean cacheNullValues, Duration nullTtl, String keyPrefix, ValueCodec codec, EntryTtl entryTtl, boolean lease,
		Duration leaseTtl, Duration leaseWait, Freshness freshness, InvalidationMode invalidation) {

	/**
	 * Check the settings.
	 * @throws IllegalArgumentException naming the setting that cannot work
	 */
	public CacheSettings {
		positive("ttl", ttl);
		positive("localTtl", localTtl);
		positive("nullTtl", nullTtl);
		positive("leaseTtl", leaseTtl);
		if (leaseWait.isNegative()) {
			throw new IllegalArgumentException("leaseWait must not be negative, was " + leaseWait);
		}
		if (mode == CacheMode.TWO_TIER && localTtl.compareTo(ttl) > 0) {
			throw new IllegalArgumentException("localTtl " + localTtl + " is longer than ttl " + ttl);
		}
		if (localMaxSize < 1) {
			throw new IllegalArgumentException("localMaxSize must be at least 1, was " + localMaxSize);
		}
		if (!(ttlJitter >= 0 && ttlJitter <= 1)) {
			throw new IllegalArgumentException("ttlJitter must be between 0 and 1, was " + ttlJitter);
		}
		if (keyPrefix == null || !keyPrefix.startsWith("perfkit:")) {
			throw new IllegalArgumentException("keyPrefix must start with 'perfkit:', was " + keyPrefix);
		}
		if (codec == null) {
			throw new IllegalArgumentException("codec must not be null");
		}
		if (freshness == null) {
			throw new IllegalArgumentException("freshness must not be null");
		}
		if (invalidation == null) {
			throw new IllegalArgumentException("invalidation must not be null");
		}
	}

	/**
	 * Settings without stale-if-error or refresh-ahead.
	 * @param mode which tiers the cache uses
	 * @param ttl how long an entry lives in Redis
	 * @param localTtl how long an entry lives in the local tier
	 * @param localMaxSize the most entries the local tier holds
	 * @param ttlJitter a fraction of the remote TTL added at random
	 * @param cacheNullValues whether {@code null} results are cached
	 * @param nullTtl how long a cached {@code null} lives
	 * @param keyPrefix the prefix of every Redis key
	 * @param codec the codec of the remote tier
	 * @param entryTtl chooses a remote TTL per entry, or {@code null}
	 * @param lease whether a load takes a distributed per-key lease
	 * @param leaseTtl how long a lease lives if its holder dies
	 * @param leaseWait how long an instance waits for another's lease
	 */
	public CacheSettings(CacheMode mode, Duration ttl, Duration localTtl, long localMaxSize, double ttlJitter,
			boolean cacheNullValues, Duration nullTtl, String keyPrefix, ValueCodec codec, EntryTtl entryTtl,
			boolean lease, Duration leaseTtl, Duration leaseWait) {
		this(mode, ttl, localTtl, localMaxSize, ttlJitter, cacheNullValues, nullTtl, keyPrefix, codec, entryTtl, lease,
				leaseTtl, leaseWait, Freshness.OFF, InvalidationMode.MESSAGES);
	}

	/**
	 * Settings whose local copies perfkit's invalidation messages drop.
	 * @param mode which tiers the cache uses
	 * @param ttl how long an entry lives in Redis
	 * @param localTtl how long an entry lives in the local tier
	 * @param localMaxSize the most entries the local tier holds
	 * @param ttlJitter a fraction of the remote TTL added at random
	 * @param cacheNullValues whether {@code null} results are cached
	 * @param nullTtl how long a cached {@code null} lives
	 * @param keyPrefix the prefix of every Redis key
	 * @param codec the codec of the remote tier
	 * @param entryTtl chooses a remote TTL per entry, or {@code null}
	 * @param lease whether a load takes a distributed per-key lease
	 * @param leaseTtl how long a lease lives if its holder dies
	 * @param leaseWait how long an instance waits for another's lease
	 * @param freshness stale-if-error and refresh-ahead
	 */
	public CacheSettings(CacheMode mode, Duration ttl, Duration localTtl, long localMaxSize, double ttlJitter,
			boolean cacheNullValues, Duration nullTtl, String keyPrefix, ValueCodec codec, EntryTtl entryTtl,
			boolean lease, Duration leaseTtl, Duration leaseWait, Freshness freshness) {
		this(mode, ttl, localTtl, localMaxSize, ttlJitter, cacheNullValues, nullTtl, keyPrefix, codec, entryTtl, lease,
				leaseTtl, leaseWait, freshness, InvalidationMode.MESSAGES);
	}

	/**
	 * Settings without stale-if-error or refresh-ahead.
	 * @param mode which tiers the cache uses
	 * @param ttl how long an entry lives in Redis
	 * @param localTtl how long an entry lives in the local tier
	 * @param localMaxSize the most entries the local tier holds
	 * @param ttlJitter a fraction of the remote TTL added at random
	 * @param cacheNullValues whether {@code null} results are cached
	 * @param nullTtl how long a cached {@code null} lives
	 * @param keyPrefix the prefix of every Redis key
	 * @param codec the codec of the remote tier
	 * @param entryTtl chooses a remote TTL per entry, or {@code null}
	 * @param lease whether a load takes a distributed per-key lease
	 * @param leaseTtl how long a lease lives if its holder dies
	 * @param leaseWait how long an instance waits for another's lease
	 * @param invalidation what drops local copies when a key changes elsewhere
	 */
	public CacheSettings(CacheMode mode, Duration ttl, Duration localTtl, long localMaxSize, double ttlJitter,
			boolean cacheNullValues, Duration nullTtl, String keyPrefix, ValueCodec codec, EntryTtl entryTtl,
			boolean lease, Duration leaseTtl, Duration leaseWait, InvalidationMode invalidation) {
		this(mode, ttl, localTtl, localMaxSize, ttlJitter, cacheNullValues, nullTtl, keyPrefix, codec, entryTtl, lease,
				leaseTtl, leaseWait, Freshness.OFF, invalidation);
	}

	/**
	 * perfkit's defaults: two tiers, 10 minutes in Redis, 1 minute and at most 10,000
	 * entries locally, 10% jitter, nulls cached for 30 seconds, keys under
	 * {@code perfkit:cache:}, JSON with the standard allow-list, no lease.
	 * @return the defaults
	 */
	public static CacheSettings defaults() {
		return new CacheSettings(CacheMode.TWO_TIER, Duration.ofMinutes(10), Duration.ofMinutes(1), 10_000, 0.1, true,
				Duration.ofSeconds(30), "perfkit:cache:", new JsonValueCodec(List.of()), null, false,
				Duration.ofSeconds(10), Duration.ofSeconds(5));
	}

	/**
	 * Return a copy in another mode.
	 * @param mode the mode
	 * @return the copy
	 */
	public CacheSettings withMode(CacheMode mode) {
		return new CacheSettings(mode, this.ttl, this.localTtl, this.localMaxSize, this.ttlJitter, this.cacheNullValues,
				this.nullTtl, this.keyPrefix, this.codec, this.entryTtl, this.lease, this.leaseTtl,
				this.leaseWait, this.freshness, this.invalidation);
	}

	/**
	 * Return a copy with other TTLs.
	 * @param ttl the remote TTL
	 * @param localTtl the local TTL
	 * @return the copy
	 */
	public CacheSettings withTtl(Duration ttl, Duration localTtl) {
		return new CacheSettings(this.mode, ttl, localTtl, this.localMaxSize, this.ttlJitter, this.cacheNullValues,
				this.nullTtl, this.keyPrefix, this.codec, this.entryTtl, this.lease, this.leaseTtl,
				this.leaseWait, this.freshness, this.invalidation);
	}

	/**
	 * Return a copy with another local bound.
	 * @param localMaxSize the most local entries
	 * @return the copy
	 */
	public CacheSettings withLocalMaxSize(long localMaxSize) {
		return new CacheSettings(this.mode, this.ttl, this.localTtl, localMaxSize, this.ttlJitter, this.cacheNullValues,
				this.nullTtl, this.keyPrefix, this.codec, this.entryTtl, this.lease, this.leaseTtl,
				this.leaseWait, this.freshness, this.invalidation);
	}

	/**
	 * Return a copy with another jitter.
	 * @param ttlJitter the fraction of the TTL added at random
	 * @return the copy
	 */
	public CacheSettings withTtlJitter(double ttlJitter) {
		return new CacheSettings(this.mode, this.ttl, this.localTtl, this.localMaxSize, ttlJitter, this.cacheNullValues,
				this.nullTtl, this.keyPrefix, this.codec, this.entryTtl, this.lease, this.leaseTtl,
				this.leaseWait, this.freshness, this.invalidation);
	}

	/**
	 * Return a copy with other null handling.
	 * @param cacheNullValues whether nulls are cached
	 * @param nullTtl how long they live
	 * @return the copy
	 */
	public CacheSettings withNullValues(boolean cacheNullValues, Duration nullTtl) {
		return new CacheSettings(this.mode, this.ttl, this.localTtl, this.localMaxSize, this.ttlJitter, cacheNullValues,
				nullTtl, this.keyPrefix, this.codec, this.entryTtl, this.lease, this.leaseTtl,
				this.leaseWait, this.freshness, this.invalidation);
	}

	/**
	 * Return a copy with another key prefix.
	 * @param keyPrefix the prefix, starting with {@code perfkit:}
	 * @return the copy
	 */
	public CacheSettings withKeyPrefix(String keyPrefix) {
		return new CacheSettings(this.mode, this.ttl, this.localTtl, this.localMaxSize, this.ttlJitter,
				this.cacheNullValues, this.nullTtl, keyPrefix, this.codec, this.entryTtl, this.lease, this.leaseTtl,
				this.leaseWait, this.freshness, this.invalidation);
	}

	/**
	 * Return a copy with another codec.
	 * @param codec the codec
	 * @return the copy
	 */
	public CacheSettings withCodec(ValueCodec codec) {
		return new CacheSettings(this.mode, this.ttl, this.localTtl, this.localMaxSize, this.ttlJitter,
				this.cacheNullValues, this.nullTtl, this.keyPrefix, codec, this.entryTtl, this.lease, this.leaseTtl,
				this.leaseWait, this.freshness, this.invalidation);
	}

	/**
	 * Return a copy with a per-entry TTL function.
	 * @param entryTtl the function, or {@code null} for the cache's TTL
	 * @return the copy
	 */
	public CacheSettings withEntryTtl(EntryTtl entryTtl) {
		return new CacheSettings(this.mode, this.ttl, this.localTtl, this.localMaxSize, this.ttlJitter,
				this.cacheNullValues, this.nullTtl, this.keyPrefix, this.codec, entryTtl, this.lease, this.leaseTtl,
				this.leaseWait, this.freshness, this.invalidation);
	}

	/**
	 * Return a copy with other lease settings.
	 * @param lease whether loads take a distributed lease
	 * @param leaseTtl how long a lease lives
	 * @param leaseWait how long to wait for another instance's lease
	 * @return the copy
	 */
	public CacheSettings withLease(boolean lease, Duration leaseTtl, Duration leaseWait) {
		return new CacheSettings(this.mode, this.ttl, this.localTtl, this.localMaxSize, this.ttlJitter,
				this.cacheNullValues, this.nullTtl, this.keyPrefix, this.codec, this.entryTtl, lease, leaseTtl,
				leaseWait, this.freshness, this.invalidation);
	}

	// Freshness (stale-if-error, refresh-ahead): issue 15.

	/**
	 * Return a copy with other stale-if-error and refresh-ahead settings.
	 * @param freshness the settings
	 * @return the copy
	 */
	public CacheSettings withFreshness(Freshness freshness) {
		return new CacheSettings(this.mode, this.ttl, this.localTtl, this.localMaxSize, this.ttlJitter,
				this.cacheNullValues, this.nullTtl, this.keyPrefix, this.codec, this.entryTtl, this.lease, this.leaseTtl,
				this.leaseWait, freshness, this.invalidation);
	}

	/**
	 * Return a copy with another invalidation mode.
	 * @param invalidation what drops local copies when a key changes elsewhere
	 * @return the copy
	 */
	public CacheSettings withInvalidation(InvalidationMode invalidation) {
		return new CacheSettings(this.mode, this.ttl, this.localTtl, this.localMaxSize, this.ttlJitter,
				this.cacheNullValues, this.nullTtl, this.keyPrefix, this.codec, this.entryTtl, this.lease, this.leaseTtl,
				this.leaseWait, this.freshness, invalidation);
	}

	private static void positive(String name, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(name + " must be positive, was " + value);
		}
	}

}
