package dev.perfkit.autoconfigure.cache;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import dev.perfkit.cache.CacheMode;
import dev.perfkit.cache.CacheSettings;
import dev.perfkit.cache.Freshness;
import dev.perfkit.cache.InvalidationMode;
import dev.perfkit.cache.ValueCodec;

/**
 * Turns {@link PerfkitCacheProperties} into each cache's {@link CacheSettings}, checking
 * every configured cache at startup so that a bad value fails the application with the
 * property's full name.
 */
final class CacheSettingsResolver implements Function<String, CacheSettings> {

	private final PerfkitCacheProperties properties;

	private final Map<String, ValueCodec> codecs;

	private final List<CacheSettingsCustomizer> customizers;

	CacheSettingsResolver(PerfkitCacheProperties properties, Map<String, ValueCodec> codecs,
			List<CacheSettingsCustomizer> customizers) {
		this.properties = properties;
		this.codecs = codecs;
		this.customizers = customizers;
	}

	/**
	 * Check the defaults and every configured cache.
	 */
	void validate() {
		if (!this.properties.getChannel().startsWith("perfkit:")) {
			throw new InvalidPerfkitPropertyException("perfkit.cache.channel", this.properties.getChannel(),
					"Every perfkit Redis name starts with 'perfkit:'.", "use a name such as perfkit:cache:invalidations.");
		}
		apply("default");
		this.properties.getCaches().keySet().forEach(this::apply);
		this.properties.getCacheNames().forEach(this::apply);
	}

	@Override
	public CacheSettings apply(String name) {
		PerfkitCacheProperties defaults = this.properties;
		PerfkitCacheProperties.CacheSpec spec = this.properties.getCaches().get(name);
		boolean own = spec != null;
		if (spec == null) {
			spec = new PerfkitCacheProperties.CacheSpec();
		}
		String base = own ? "perfkit.cache.caches." + name + "." : "perfkit.cache.";
		CacheMode mode = or(spec.getMode(), defaults.getMode());
		Duration ttl = or(spec.getTtl(), defaults.getTtl());
		Duration localTtl = or(spec.getLocal().getTtl(), defaults.getLocal().getTtl());
		long maxSize = or(spec.getLocal().getMaxSize(), defaults.getLocal().getMaxSize());
		double jitter = or(spec.getTtlJitter(), defaults.getTtlJitter());
		boolean nulls = or(spec.getCacheNullValues(), defaults.isCacheNullValues());
		Duration nullTtl = or(spec.getNullTtl(), defaults.getNullTtl());
		String prefix = or(spec.getKeyPrefix(), defaults.getKeyPrefix());
		String codecName = or(spec.getCodec(), defaults.getCodec());
		boolean lease = or(spec.getLease().getEnabled(), defaults.getLease().isEnabled());
		Duration leaseTtl = or(spec.getLease().getTtl(), defaults.getLease().getTtl());
		Duration leaseWait = or(spec.getLease().getWait(), defaults.getLease().getWait());
		InvalidationMode invalidation = or(spec.getInvalidation(), defaults.getInvalidation());

		positive(prop(base, spec.getTtl(), "ttl"), ttl);
		positive(prop(base, spec.getLocal().getTtl(), "local.ttl"), localTtl);
		positive(prop(base, spec.getNullTtl(), "null-ttl"), nullTtl);
		positive(prop(base, spec.getLease().getTtl(), "lease.ttl"), leaseTtl);
		if (mode == CacheMode.TWO_TIER && localTtl.compareTo(ttl) > 0) {
			throw new InvalidPerfkitPropertyException(prop(base, spec.getLocal().getTtl(), "local.ttl"), localTtl,
					"The local TTL is longer than the remote TTL (" + ttl + "), so a local copy could outlive Redis's.",
					"set local.ttl to at most " + ttl + ", or raise ttl.");
		}
		if (maxSize < 1) {
			throw new InvalidPerfkitPropertyException(prop(base, spec.getLocal().getMaxSize(), "local.max-size"), maxSize,
					"Every local tier is bounded.", "set a whole number of 1 or more, such as 10000.");
		}
		if (!(jitter >= 0 && jitter <= 1)) {
			throw new InvalidPerfkitPropertyException(prop(base, spec.getTtlJitter(), "ttl-jitter"), jitter,
					"The jitter is a fraction of the TTL.", "set a number between 0 and 1, such as 0.1.");
		}
		if (prefix == null || !prefix.startsWith("perfkit:")) {
			throw new InvalidPerfkitPropertyException(prop(base, spec.getKeyPrefix(), "key-prefix"), prefix,
					"Every perfkit Redis key starts with 'perfkit:'.", "use a prefix such as perfkit:cache:.");
		}
		ValueCodec codec = this.codecs.get(codecName);
		if (codec == null) {
			throw new InvalidPerfkitPropertyException(prop(base, spec.getCodec(), "codec"), codecName,
					"No ValueCodec bean has this name; known codecs: " + this.codecs.keySet() + ".",
					"name one of the known codecs, or define a ValueCodec bean with this name.");
		}
		CacheSettings settings = new CacheSettings(mode, ttl, localTtl, maxSize, jitter, nulls, nullTtl, prefix, codec,
				null, lease, leaseTtl, leaseWait, invalidation);
		settings = settings.withFreshness(freshness(base, spec));
		for (CacheSettingsCustomizer customizer : this.customizers) {
			settings = customizer.customize(name, settings);
		}
		return settings;
	}

	// Freshness: stale-if-error and refresh-ahead (issue 15).

	private Freshness freshness(String base, PerfkitCacheProperties.CacheSpec spec) {
		Duration staleIfError = or(spec.getStaleIfError(), this.properties.getStaleIfError());
		Percent refreshAhead = or(spec.getRefreshAhead(), this.properties.getRefreshAhead());
		if (staleIfError == null || staleIfError.isNegative()) {
			throw new InvalidPerfkitPropertyException(prop(base, spec.getStaleIfError(), "stale-if-error"),
					staleIfError, "How long an expired entry may still serve a failing loader cannot be negative.",
					"set a duration such as 10m, or 0 to turn stale-if-error off.");
		}
		double fraction = (refreshAhead != null) ? refreshAhead.fraction() : 0;
		if (fraction != 0 && !(fraction >= 0.01 && fraction <= 0.99)) {
			throw new InvalidPerfkitPropertyException(prop(base, spec.getRefreshAhead(), "refresh-ahead"),
					refreshAhead, "Refresh-ahead reloads an entry after this share of its TTL; at 100% or more it "
							+ "would never run before the entry expires, below 1% it would reload on nearly every hit.",
					"set a percentage between 1% and 99%, such as 80%, or 0% to turn refresh-ahead off.");
		}
		return new Freshness(staleIfError, fraction);
	}

	private static String prop(String base, Object own, String key) {
		return ((own != null) ? base : "perfkit.cache.") + key;
	}

	private static void positive(String property, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new InvalidPerfkitPropertyException(property, value, "The duration must be positive.",
					"set a positive duration such as 10m.");
		}
	}

	private static <T> T or(T value, T fallback) {
		return (value != null) ? value : fallback;
	}

}
