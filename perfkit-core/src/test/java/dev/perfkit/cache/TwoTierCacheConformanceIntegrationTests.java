package dev.perfkit.cache;

/**
 * The {@link org.springframework.cache.Cache} contract for a two-tier cache on the shared
 * Redis.
 */
class TwoTierCacheConformanceIntegrationTests extends AbstractCacheConformanceTests {

	@Override
	protected CacheFixture fixture() {
		return CacheFixture.onTestRedis();
	}

	@Override
	protected CacheMode mode() {
		return CacheMode.TWO_TIER;
	}

}
