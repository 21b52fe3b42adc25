package dev.perfkit.cache;

/**
 * The {@link org.springframework.cache.Cache} contract for a local-only cache, with no
 * Redis at all.
 */
class LocalCacheConformanceTests extends AbstractCacheConformanceTests {

	@Override
	protected CacheFixture fixture() {
		return new CacheFixture("127.0.0.1", 1);
	}

	@Override
	protected CacheMode mode() {
		return CacheMode.LOCAL;
	}

}
