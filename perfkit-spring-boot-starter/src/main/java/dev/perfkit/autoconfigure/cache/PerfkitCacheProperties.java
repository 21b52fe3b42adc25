package dev.perfkit.autoconfigure.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.perfkit.cache.CacheMode;
import dev.perfkit.cache.InvalidationMode;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * perfkit's two-tier cache: defaults for every cache, plus overrides per cache name under
 * {@code perfkit.cache.caches.<name>}.
 */
@ConfigurationProperties("perfkit.cache")
public class PerfkitCacheProperties {

	/**
	 * Whether perfkit provides the application's CacheManager (when caching is enabled and
	 * the application defines no CacheManager of its own).
	 */
	private boolean enabled = true;

	/**
	 * Which tiers caches use by default: two-tier, local (Caffeine only) or remote (Redis
	 * only). Without Redis every cache runs locally.
	 */
	private CacheMode mode = CacheMode.TWO_TIER;

	/**
	 * How long an entry lives in Redis.
	 */
	private Duration ttl = Duration.ofMinutes(10);

	/**
	 * Fraction (0 to 1) of the remote TTL added at random to each entry, so that entries
	 * written together do not expire together.
	 */
	private double ttlJitter = 0.1;

	/**
	 * Whether null results are cached.
	 */
	private boolean cacheNullValues = true;

	/**
	 * How long a cached null lives, in Redis and locally.
	 */
	private Duration nullTtl = Duration.ofSeconds(30);

	/**
	 * Prefix of every Redis key; must start with 'perfkit:'. Keys are the prefix, the
	 * cache name, a colon and the key.
	 */
	private String keyPrefix = "perfkit:cache:";

	/**
	 * Name of the ValueCodec bean that stores values in Redis; 'json' is perfkit's Jackson
	 * codec with a type allow-list.
	 */
	private String codec = "json";

	/**
	 * What drops a two-tier cache's local copies when a key changes: 'messages' (perfkit's
	 * pub/sub invalidations: writes made through perfkit only), 'tracking' (Redis client
	 * tracking, RESP3 and Redis 6+: every change of the key in Redis, by anyone, including
	 * expiry and eviction) or 'both'.
	 */
	private InvalidationMode invalidation = InvalidationMode.MESSAGES;

	/**
	 * Class name prefixes of the application's cached types that the JSON codec may read,
	 * such as 'com.example.pricing.'. Strings, numbers, java.time values and java.util
	 * collections are always allowed; JDK packages cannot be added.
	 */
	private List<String> allowedPackages = new ArrayList<>();

	/**
	 * Names of caches to create at startup. Unless 'dynamic' is false, other names create
	 * caches with the default settings on first use.
	 */
	private List<String> cacheNames = new ArrayList<>();

	/**
	 * Whether caches not listed in 'cache-names' are created on first use.
	 */
	private boolean dynamic = true;

	/**
	 * Redis pub/sub channel on which instances announce invalidations; must start with
	 * 'perfkit:'.
	 */
	private String channel = "perfkit:cache:invalidations";

	private final Local local = new Local();

	private final Lease lease = new Lease();

	private final StatusHeader statusHeader = new StatusHeader();

	// Freshness: stale-if-error and refresh-ahead (issue 15).

	/**
	 * How long after its TTL ran out an entry may still be returned when its loader throws
	 * (stale-if-error); 0 turns it off. Entries stay that much longer in Redis but read as
	 * expired: a read loads, and only the loader's exception returns the old value. Needs
	 * get(key, Callable) or @Cacheable(sync = true).
	 */
	private Duration staleIfError = Duration.ZERO;

	/**
	 * Share of an entry's remote TTL after which a hit returns the value and reloads it in
	 * the background, on one instance of all, such as 80%; unset (or 0%) turns it off,
	 * otherwise between 1% and 99%. Needs get(key, Callable) or @Cacheable(sync = true).
	 */
	private Percent refreshAhead;

	/**
	 * Overrides per cache name. Each takes the keys of the defaults: 'mode', 'ttl',
	 * 'local.ttl', 'local.max-size', 'ttl-jitter', 'cache-null-values', 'null-ttl',
	 * 'key-prefix', 'codec', 'invalidation', 'lease.*', 'stale-if-error' and 'refresh-ahead'.
	 */
	private Map<String, CacheSpec> caches = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public CacheMode getMode() {
		return this.mode;
	}

	public void setMode(CacheMode mode) {
		this.mode = mode;
	}

	public Duration getTtl() {
		return this.ttl;
	}

	public void setTtl(Duration ttl) {
		this.ttl = ttl;
	}

	public double getTtlJitter() {
		return this.ttlJitter;
	}

	public void setTtlJitter(double ttlJitter) {
		this.ttlJitter = ttlJitter;
	}

	public boolean isCacheNullValues() {
		return this.cacheNullValues;
	}

	public void setCacheNullValues(boolean cacheNullValues) {
		this.cacheNullValues = cacheNullValues;
	}

	public Duration getNullTtl() {
		return this.nullTtl;
	}

	public void setNullTtl(Duration nullTtl) {
		this.nullTtl = nullTtl;
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public String getCodec() {
		return this.codec;
	}

	public void setCodec(String codec) {
		this.codec = codec;
	}

	public InvalidationMode getInvalidation() {
		return this.invalidation;
	}

	public void setInvalidation(InvalidationMode invalidation) {
		this.invalidation = invalidation;
	}

	public List<String> getAllowedPackages() {
		return this.allowedPackages;
	}

	public void setAllowedPackages(List<String> allowedPackages) {
		this.allowedPackages = allowedPackages;
	}

	public List<String> getCacheNames() {
		return this.cacheNames;
	}

	public void setCacheNames(List<String> cacheNames) {
		this.cacheNames = cacheNames;
	}

	public boolean isDynamic() {
		return this.dynamic;
	}

	public void setDynamic(boolean dynamic) {
		this.dynamic = dynamic;
	}

	public String getChannel() {
		return this.channel;
	}

	public void setChannel(String channel) {
		this.channel = channel;
	}

	public Local getLocal() {
		return this.local;
	}

	public Lease getLease() {
		return this.lease;
	}

	public Duration getStaleIfError() {
		return this.staleIfError;
	}

	public void setStaleIfError(Duration staleIfError) {
		this.staleIfError = staleIfError;
	}

	public Percent getRefreshAhead() {
		return this.refreshAhead;
	}

	public void setRefreshAhead(Percent refreshAhead) {
		this.refreshAhead = refreshAhead;
	}

	public StatusHeader getStatusHeader() {
		return this.statusHeader;
	}

	public Map<String, CacheSpec> getCaches() {
		return this.caches;
	}

	public void setCaches(Map<String, CacheSpec> caches) {
		this.caches = caches;
	}

	/**
	 * The local (Caffeine) tier.
	 */
	public static class Local {

		/**
		 * How long an entry lives in the local tier; at most the remote TTL. Also the bound
		 * on staleness when an invalidation is lost without trace.
		 */
		private Duration ttl = Duration.ofMinutes(1);

		/**
		 * Most entries each cache's local tier holds.
		 */
		private long maxSize = 10_000;

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public long getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(long maxSize) {
			this.maxSize = maxSize;
		}

	}

	/**
	 * The distributed per-key lease for loads.
	 */
	public static class Lease {

		/**
		 * Whether a load of a cold key takes a per-key lease in Redis, so that one instance
		 * loads it for all.
		 */
		private boolean enabled;

		/**
		 * How long a lease lives if its holder dies mid-load. Also how long a load's fill
		 * fence lives: a load that takes longer returns its value but does not cache it.
		 */
		private Duration ttl = Duration.ofSeconds(10);

		/**
		 * How long an instance waits for another's lease before it loads the key itself.
		 */
		private Duration wait = Duration.ofSeconds(5);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public Duration getWait() {
			return this.wait;
		}

		public void setWait(Duration wait) {
			this.wait = wait;
		}

	}

	/**
	 * The X-Cache-Status response header.
	 */
	public static class StatusHeader {

		/**
		 * Whether responses of controller methods that read a perfkit cache carry
		 * 'X-Cache-Status: HIT' (every read hit) or 'MISS'.
		 */
		private boolean enabled;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * One cache's overrides; unset values take the defaults.
	 */
	public static class CacheSpec {

		/**
		 * Which tiers this cache uses.
		 */
		private CacheMode mode;

		/**
		 * How long an entry lives in Redis.
		 */
		private Duration ttl;

		/**
		 * Fraction of the remote TTL added at random.
		 */
		private Double ttlJitter;

		/**
		 * Whether null results are cached.
		 */
		private Boolean cacheNullValues;

		/**
		 * How long a cached null lives.
		 */
		private Duration nullTtl;

		/**
		 * Prefix of this cache's Redis keys.
		 */
		private String keyPrefix;

		/**
		 * What drops this cache's local copies when a key changes: 'messages' (perfkit's
		 * own invalidations: writes made through perfkit), 'tracking' (Redis client
		 * tracking: every change of the key in Redis, by anyone, including expiry and
		 * eviction) or 'both'.
		 */
		private InvalidationMode invalidation;

		/**
		 * Name of the ValueCodec bean for this cache.
		 */
		private String codec;

		private final LocalSpec local = new LocalSpec();

		private final LeaseSpec lease = new LeaseSpec();

		/**
		 * How long after its TTL ran out this cache's entry may still be returned when its
		 * loader throws; 0 turns it off.
		 */
		private Duration staleIfError;

		/**
		 * Share of this cache's remote TTL after which a hit reloads the entry in the
		 * background, such as 80%; 0% turns it off.
		 */
		private Percent refreshAhead;

		public CacheMode getMode() {
			return this.mode;
		}

		public void setMode(CacheMode mode) {
			this.mode = mode;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public Double getTtlJitter() {
			return this.ttlJitter;
		}

		public void setTtlJitter(Double ttlJitter) {
			this.ttlJitter = ttlJitter;
		}

		public Boolean getCacheNullValues() {
			return this.cacheNullValues;
		}

		public void setCacheNullValues(Boolean cacheNullValues) {
			this.cacheNullValues = cacheNullValues;
		}

		public Duration getNullTtl() {
			return this.nullTtl;
		}

		public void setNullTtl(Duration nullTtl) {
			this.nullTtl = nullTtl;
		}

		public String getKeyPrefix() {
			return this.keyPrefix;
		}

		public void setKeyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
		}

		public String getCodec() {
			return this.codec;
		}

		public void setCodec(String codec) {
			this.codec = codec;
		}

		public InvalidationMode getInvalidation() {
			return this.invalidation;
		}

		public void setInvalidation(InvalidationMode invalidation) {
			this.invalidation = invalidation;
		}

		public LocalSpec getLocal() {
			return this.local;
		}

		public LeaseSpec getLease() {
			return this.lease;
		}

		public Duration getStaleIfError() {
			return this.staleIfError;
		}

		public void setStaleIfError(Duration staleIfError) {
			this.staleIfError = staleIfError;
		}

		public Percent getRefreshAhead() {
			return this.refreshAhead;
		}

		public void setRefreshAhead(Percent refreshAhead) {
			this.refreshAhead = refreshAhead;
		}

	}

	/**
	 * One cache's local tier overrides.
	 */
	public static class LocalSpec {

		/**
		 * How long an entry lives locally; at most the cache's remote TTL.
		 */
		private Duration ttl;

		/**
		 * Most entries this cache's local tier holds.
		 */
		private Long maxSize;

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public Long getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(Long maxSize) {
			this.maxSize = maxSize;
		}

	}

	/**
	 * One cache's lease overrides.
	 */
	public static class LeaseSpec {

		/**
		 * Whether loads of this cache take a distributed lease.
		 */
		private Boolean enabled;

		/**
		 * How long this cache's leases live.
		 */
		private Duration ttl;

		/**
		 * How long to wait for another instance's lease.
		 */
		private Duration wait;

		public Boolean getEnabled() {
			return this.enabled;
		}

		public void setEnabled(Boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public Duration getWait() {
			return this.wait;
		}

		public void setWait(Duration wait) {
			this.wait = wait;
		}

	}

}
