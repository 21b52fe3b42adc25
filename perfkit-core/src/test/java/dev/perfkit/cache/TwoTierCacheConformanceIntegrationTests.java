package dev.perfkit.cache;

import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.TestRedis;

/**
 * The {@link org.springframework.cache.Cache} contract for a two-tier cache on the shared
 * Redis.
 */
class TwoTierCacheConformanceIntegrationTests extends AbstractCacheConformanceTests {

	@Override
	protected CacheFixture fixture() {
		RedisEndpoint redis = TestRedis.get();
		return new CacheFixture(redis.host(), redis.port());
	}

	@Override
	protected CacheMode mode() {
		return CacheMode.TWO_TIER;
	}

}
