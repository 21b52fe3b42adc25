package dev.perfkit.cache;

/**
 * The {@link org.springframework.cache.Cache} contract for a remote-only cache on the shared
 * Redis.
 */
class RemoteCacheConformanceIntegrationTests extends AbstractCacheConformanceTests {

	@Override
	protected CacheFixture fixture() {
		return CacheFixture.onTestRedis();
	}

	@Override
	protected CacheMode mode() {
		return CacheMode.REMOTE;
	}

}
