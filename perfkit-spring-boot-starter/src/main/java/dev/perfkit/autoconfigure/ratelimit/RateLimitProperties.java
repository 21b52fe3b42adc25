package dev.perfkit.autoconfigure.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.perfkit.ratelimit.Algorithm;
import dev.perfkit.ratelimit.FailurePolicy;
import dev.perfkit.ratelimit.LeasePolicy;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Rate limiting: tiers, plans, keys, proxies and headers.
 */
@ConfigurationProperties("perfkit.rate-limit")
public class RateLimitProperties {

	/**
	 * Whether {@code @RateLimit} is enforced.
	 */
	private boolean enabled = true;

	/**
	 * Where counters live: {@code auto} (Redis when perfkit has a Redis connection, else
	 * local), {@code redis} or {@code local}.
	 */
	private Backend backend = Backend.AUTO;

	/**
	 * The local limiter's bound per tier and plan, by weight (the least used keys go
	 * first): a token bucket or sliding-window counter weighs 1, a sliding log 1 plus its
	 * largest capacity divided by 8.
	 */
	private long localMaximumKeys = 100_000;

	/**
	 * How many keys Redis rejected each instance remembers per tier and plan, rejecting
	 * them without a Redis call until Redis said a permit could free up; concurrent checks
	 * of a key that may be limited also wait for the one call in flight and share its
	 * rejection. 0 switches both off: every check asks Redis.
	 */
	private long localShortcutKeys = 10_000;

	/**
	 * Tiers by name. The built-in tiers (auth, password-reset, sensitive, standard,
	 * relaxed) are preset; an entry here overrides the settings it names: limits, key,
	 * algorithm, failure-policy, plans, default-plan, charge-on-status, and lease.batch
	 * with lease.duration (permit leasing for a token-bucket tier's hot keys on Redis: an
	 * instance takes up to lease.batch permits in one call and spends them for at most
	 * lease.duration; off by default).
	 */
	private Map<String, TierProperties> tiers = new LinkedHashMap<>();

	/**
	 * The header that carries an API key, for tiers keyed by {@code api-key}. Its value is
	 * hashed before it is used as a key.
	 */
	private String apiKeyHeader = "X-API-Key";

	/**
	 * Addresses and CIDR ranges of proxies whose client-address header is believed. Empty:
	 * no forwarding header is believed.
	 */
	private List<String> trustedProxies = new ArrayList<>();

	/**
	 * The one header that carries the client address from trusted proxies, read right to
	 * left: X-Forwarded-For, Forwarded (its for= parameters), or any comma-separated list
	 * header such as X-Real-IP. Every other forwarding header is ignored.
	 */
	private String clientAddressHeader = "X-Forwarded-For";

	/**
	 * Callers never limited, each entry naming the key kind it exempts: ip:<address or
	 * CIDR> (or a bare address or CIDR; exempts ip-keyed checks only), user:<name>,
	 * api-key:<key> or key:<value of a SpEL key>.
	 */
	private List<String> allowList = new ArrayList<>();

	/**
	 * What to do with a request that lacks its tier's key (no user, no API key): {@code ip}
	 * limits it by client address, {@code allow} lets it through, {@code deny} rejects it.
	 */
	private MissingKey missingKey = MissingKey.IP;

	/**
	 * Response headers.
	 */
	private final Headers headers = new Headers();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Backend getBackend() {
		return this.backend;
	}

	public void setBackend(Backend backend) {
		this.backend = backend;
	}

	public long getLocalMaximumKeys() {
		return this.localMaximumKeys;
	}

	public void setLocalMaximumKeys(long localMaximumKeys) {
		this.localMaximumKeys = localMaximumKeys;
	}

	public long getLocalShortcutKeys() {
		return this.localShortcutKeys;
	}

	public void setLocalShortcutKeys(long localShortcutKeys) {
		this.localShortcutKeys = localShortcutKeys;
	}

	public Map<String, TierProperties> getTiers() {
		return this.tiers;
	}

	public void setTiers(Map<String, TierProperties> tiers) {
		this.tiers = tiers;
	}

	public String getApiKeyHeader() {
		return this.apiKeyHeader;
	}

	public void setApiKeyHeader(String apiKeyHeader) {
		this.apiKeyHeader = apiKeyHeader;
	}

	public List<String> getTrustedProxies() {
		return this.trustedProxies;
	}

	public void setTrustedProxies(List<String> trustedProxies) {
		this.trustedProxies = trustedProxies;
	}

	public String getClientAddressHeader() {
		return this.clientAddressHeader;
	}

	public void setClientAddressHeader(String clientAddressHeader) {
		this.clientAddressHeader = clientAddressHeader;
	}

	public List<String> getAllowList() {
		return this.allowList;
	}

	public void setAllowList(List<String> allowList) {
		this.allowList = allowList;
	}

	public MissingKey getMissingKey() {
		return this.missingKey;
	}

	public void setMissingKey(MissingKey missingKey) {
		this.missingKey = missingKey;
	}

	public Headers getHeaders() {
		return this.headers;
	}

	/**
	 * Where counters live.
	 */
	public enum Backend {

		/** Redis when available, else local. */
		AUTO,

		/** Redis; startup fails without a perfkit Redis connection. */
		REDIS,

		/** This instance only. */
		LOCAL

	}

	/**
	 * What to do when a request lacks its tier's key.
	 */
	public enum MissingKey {

		/** Limit by client address instead. */
		IP,

		/** Do not limit. */
		ALLOW,

		/** Reject with 429. */
		DENY

	}

	/**
	 * How {@code X-RateLimit-Reset} is written.
	 */
	public enum ResetFormat {

		/** The epoch second at which the limit is full again. */
		EPOCH_SECONDS,

		/** Seconds until the limit is full again. */
		SECONDS

	}

	/**
	 * One tier's settings.
	 */
	public static class TierProperties {

		/**
		 * Limits written N/duration (5/1m, 3/5m, 10/1h, 100/30d), all checked atomically.
		 */
		private List<String> limits = new ArrayList<>();

		/**
		 * What identifies a caller: {@code ip}, {@code user}, {@code api-key}, or a SpEL
		 * expression over the method's arguments and {@code #request}. Defaults to
		 * {@code ip}.
		 */
		private String key;

		/**
		 * The algorithm: {@code sliding-log} (exact, one entry per permit, limits of at
		 * most 1000), {@code sliding-window} (a weighted two-window counter: constant
		 * memory, at most 2N in a window at an unlucky offset) or {@code token-bucket}
		 * (burst up to the limit). Defaults to sliding-log for auth and password-reset,
		 * token-bucket otherwise.
		 */
		private Algorithm algorithm;

		/**
		 * What to do while Redis cannot answer: {@code allow}, {@code deny} or {@code local}.
		 * Defaults to local for auth and password-reset, allow otherwise.
		 */
		private FailurePolicy failurePolicy;

		/**
		 * Limits per plan, such as {@code free: 10/1h, 100/30d}, replacing the tier's limits
		 * for callers on that plan.
		 */
		private Map<String, List<String>> plans = new LinkedHashMap<>();

		/**
		 * The plan of callers whose plan the tier does not list (or who have none), one of
		 * its plans. Without it they get the tier's own limits; a tier with only plans
		 * needs it, or startup fails.
		 */
		private String defaultPlan;

		/**
		 * Response statuses that consume the tier, such as 401 for a login. Empty: every
		 * request does.
		 */
		private List<Integer> chargeOnStatus = new ArrayList<>();

		/**
		 * Permit leasing for the tier's hot keys (token-bucket tiers on Redis).
		 */
		private final Lease lease = new Lease();

		public Lease getLease() {
			return this.lease;
		}

		public List<String> getLimits() {
			return this.limits;
		}

		public void setLimits(List<String> limits) {
			this.limits = limits;
		}

		public String getKey() {
			return this.key;
		}

		public void setKey(String key) {
			this.key = key;
		}

		public Algorithm getAlgorithm() {
			return this.algorithm;
		}

		public void setAlgorithm(Algorithm algorithm) {
			this.algorithm = algorithm;
		}

		public FailurePolicy getFailurePolicy() {
			return this.failurePolicy;
		}

		public void setFailurePolicy(FailurePolicy failurePolicy) {
			this.failurePolicy = failurePolicy;
		}

		public Map<String, List<String>> getPlans() {
			return this.plans;
		}

		public void setPlans(Map<String, List<String>> plans) {
			this.plans = plans;
		}

		public String getDefaultPlan() {
			return this.defaultPlan;
		}

		public void setDefaultPlan(String defaultPlan) {
			this.defaultPlan = defaultPlan;
		}

		public List<Integer> getChargeOnStatus() {
			return this.chargeOnStatus;
		}

		public void setChargeOnStatus(List<Integer> chargeOnStatus) {
			this.chargeOnStatus = chargeOnStatus;
		}

	}

	/**
	 * Permit leasing for a tier's hot keys: an instance takes a batch of a key's permits
	 * from Redis in one call and spends them itself (docs/rate-limiting.md#permit-leasing).
	 */
	public static class Lease {

		/**
		 * The most permits an instance leases from Redis in one call for a hot key (a key
		 * checked on it again within the lease duration), spending them without a Redis
		 * call; unspent permits are lost when the lease lapses, so a key is never admitted
		 * more than its limit, but may be admitted less. 0 leases nothing. Else at least 2
		 * and at most the tier's smallest limit; token-bucket tiers only.
		 */
		private long batch;

		/**
		 * How long leased permits may be spent before those left are lost: a token bucket
		 * may admit up to this much more refill over a span. At most the tier's shortest
		 * window.
		 */
		private Duration duration = LeasePolicy.DEFAULT_DURATION;

		public long getBatch() {
			return this.batch;
		}

		public void setBatch(long batch) {
			this.batch = batch;
		}

		public Duration getDuration() {
			return this.duration;
		}

		public void setDuration(Duration duration) {
			this.duration = duration;
		}

	}

	/**
	 * Response headers.
	 */
	public static class Headers {

		/**
		 * Whether limited responses carry X-RateLimit-Limit, X-RateLimit-Remaining and
		 * X-RateLimit-Reset (a 429 always carries Retry-After).
		 */
		private boolean enabled = true;

		/**
		 * How X-RateLimit-Reset is written: {@code epoch-seconds} or {@code seconds} (until
		 * reset).
		 */
		private ResetFormat resetFormat = ResetFormat.EPOCH_SECONDS;

		/**
		 * Whether to add the IETF draft RateLimit-Policy and RateLimit headers.
		 */
		private boolean ietf = false;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public ResetFormat getResetFormat() {
			return this.resetFormat;
		}

		public void setResetFormat(ResetFormat resetFormat) {
			this.resetFormat = resetFormat;
		}

		public boolean isIetf() {
			return this.ietf;
		}

		public void setIetf(boolean ietf) {
			this.ietf = ietf;
		}

	}

}
