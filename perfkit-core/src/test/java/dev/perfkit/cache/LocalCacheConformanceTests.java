package dev.perfkit.cache;

/**
 * The {@link org.springframework.cache.Cache} contract for a local-only cache, with no
 * Redis at all, on the fixed-expiry local tier (nulls live as long as values).
 */
class LocalCacheConformanceTests extends AbstractCacheConformanceTests {

	@Override
	protected CacheFixture fixture() {
		return new CacheFixture("127.0.0.1", 1);
	}

	@Override
	protected CacheSettings adjust(CacheSettings settings) {
		return settings.withNullValues(true, settings.localTtl());
	}

	@Override
	protected CacheMode mode() {
		return CacheMode.LOCAL;
	}

}
