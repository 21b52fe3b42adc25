package dev.perfkit.cache;

import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.TestRedis;

/**
 * The {@link org.springframework.cache.Cache} contract for a remote-only cache on the shared
 * Redis.
 */
class RemoteCacheConformanceIntegrationTests extends AbstractCacheConformanceTests {

	@Override
	protected CacheFixture fixture() {
		RedisEndpoint redis = TestRedis.get();
		return new CacheFixture(redis.host(), redis.port());
	}

	@Override
	protected CacheMode mode() {
		return CacheMode.REMOTE;
	}

}
