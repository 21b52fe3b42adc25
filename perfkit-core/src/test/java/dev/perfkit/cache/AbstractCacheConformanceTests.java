package dev.perfkit.cache;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.cache.Cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The whole {@link Cache} contract, run once per mode by the subclasses.
 */
abstract class AbstractCacheConformanceTests {

	private CacheFixture fixture;

	private Cache cache;

	private TwoTierCache twoTier;

	protected abstract CacheFixture fixture();

	protected abstract CacheMode mode();

	protected CacheSettings adjust(CacheSettings settings) {
		return settings;
	}

	@BeforeEach
	void createCache() {
		this.fixture = fixture();
		this.twoTier = this.fixture.instance(adjust(this.fixture.settings().withMode(mode()))).cache("conformance");
		this.cache = this.twoTier;
	}

	@AfterEach
	void closeCache() throws Exception {
		this.fixture.close();
	}

	@Test
	void aMissingKeyReadsAsNull() {
		assertThat(this.cache.get("missing")).isNull();
		assertThat(this.cache.get("missing", String.class)).isNull();
	}

	@Test
	void putThenGetReturnsTheValue() {
		this.cache.put("k", "v");
		assertThat(this.cache.get("k")).isNotNull().extracting(Cache.ValueWrapper::get).isEqualTo("v");
		assertThat(this.cache.get("k", String.class)).isEqualTo("v");
	}

	@Test
	void getWithTheWrongTypeFails() {
		this.cache.put("k", "v");
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> this.cache.get("k", Integer.class));
	}

	@Test
	void putOverwritesTheValue() {
		this.cache.put("k", "v1");
		this.cache.put("k", "v2");
		assertThat(this.cache.get("k", String.class)).isEqualTo("v2");
	}

	@Test
	void nullValuesAreCachedAsNull() {
		this.cache.put("k", null);
		Cache.ValueWrapper wrapper = this.cache.get("k");
		assertThat(wrapper).isNotNull();
		assertThat(wrapper.get()).isNull();
	}

	@Test
	void richValuesRoundTrip() {
		Map<String, Object> value = Map.of("list", List.of(1L, 2L), "price", new java.math.BigDecimal("9.99"),
				"when", java.time.Instant.parse("2026-01-01T00:00:00Z"));
		this.cache.put("k", value);
		clearLocalTier();
		assertThat(this.cache.get("k", Map.class)).isEqualTo(value);
	}

	@Test
	void nonStringKeysWork() {
		this.cache.put(42L, "answer");
		this.cache.put(new org.springframework.cache.interceptor.SimpleKey("a", 1), "composite");
		assertThat(this.cache.get(42L, String.class)).isEqualTo("answer");
		assertThat(this.cache.get(new org.springframework.cache.interceptor.SimpleKey("a", 1), String.class))
			.isEqualTo("composite");
	}

	@Test
	void getWithLoaderLoadsOnceAndThenServesTheCachedValue() {
		AtomicInteger calls = new AtomicInteger();
		assertThat(this.cache.get("k", () -> "v" + calls.incrementAndGet())).isEqualTo("v1");
		assertThat(this.cache.get("k", () -> "v" + calls.incrementAndGet())).isEqualTo("v1");
		assertThat(calls).hasValue(1);
	}

	@Test
	void getWithLoaderCachesANullResult() {
		AtomicInteger calls = new AtomicInteger();
		assertThat(this.cache.<String>get("k", () -> {
			calls.incrementAndGet();
			return null;
		})).isNull();
		assertThat(this.cache.get("k")).isNotNull();
		assertThat(calls).hasValue(1);
	}

	@Test
	void getWithAFailingLoaderWrapsTheFailureAndCachesNothing() {
		assertThatExceptionOfType(Cache.ValueRetrievalException.class)
			.isThrownBy(() -> this.cache.get("k", () -> {
				throw new IllegalStateException("boom");
			}))
			.withRootCauseInstanceOf(IllegalStateException.class);
		assertThat(this.cache.get("k")).isNull();
	}

	@Test
	void putIfAbsentWritesOnlyWhenAbsent() {
		assertThat(this.cache.putIfAbsent("k", "v1")).isNull();
		Cache.ValueWrapper existing = this.cache.putIfAbsent("k", "v2");
		assertThat(existing).isNotNull().extracting(Cache.ValueWrapper::get).isEqualTo("v1");
		assertThat(this.cache.get("k", String.class)).isEqualTo("v1");
	}

	@Test
	void evictRemovesTheEntry() {
		this.cache.put("k", "v");
		this.cache.evict("k");
		assertThat(this.cache.get("k")).isNull();
	}

	@Test
	void evictIfPresentTellsWhetherThereWasAnEntry() {
		this.cache.put("k", "v");
		assertThat(this.cache.evictIfPresent("k")).isTrue();
		assertThat(this.cache.evictIfPresent("k")).isFalse();
		assertThat(this.cache.get("k")).isNull();
	}

	@Test
	void clearRemovesEveryEntry() {
		this.cache.put("a", "1");
		this.cache.put("b", "2");
		this.cache.clear();
		assertThat(this.cache.get("a")).isNull();
		assertThat(this.cache.get("b")).isNull();
	}

	@Test
	void invalidateRemovesEveryEntryAndTellsWhetherThereWereAny() {
		this.cache.put("a", "1");
		assertThat(this.cache.invalidate()).isTrue();
		assertThat(this.cache.get("a")).isNull();
		assertThat(this.cache.invalidate()).isFalse();
	}

	@Test
	void retrieveCompletesWithTheValueOrIsAbsent() throws Exception {
		CompletableFuture<?> missing = this.cache.retrieve("k");
		assertThat(missing == null || missing.get(5, TimeUnit.SECONDS) == null).isTrue();
		this.cache.put("k", "v");
		Object wrapped = this.cache.retrieve("k").get(5, TimeUnit.SECONDS);
		assertThat(wrapped).isInstanceOf(Cache.ValueWrapper.class);
		assertThat(((Cache.ValueWrapper) wrapped).get()).isEqualTo("v");
	}

	@Test
	void retrieveWithLoaderLoadsOnMissAndServesTheCachedValueAfterwards() throws Exception {
		AtomicInteger calls = new AtomicInteger();
		assertThat(this.cache.retrieve("k", () -> CompletableFuture.completedFuture("v" + calls.incrementAndGet()))
			.get(5, TimeUnit.SECONDS)).isEqualTo("v1");
		org.awaitility.Awaitility.await()
			.atMost(CacheFixture.BOUND)
			.untilAsserted(() -> assertThat(this.cache.get("k", String.class)).isEqualTo("v1"));
		assertThat(this.cache.retrieve("k", () -> CompletableFuture.completedFuture("v" + calls.incrementAndGet()))
			.get(5, TimeUnit.SECONDS)).isEqualTo("v1");
		assertThat(calls).hasValue(1);
	}

	@Test
	void retrieveWithLoaderCallsTheLoaderOnceForConcurrentCallers() throws Exception {
		AtomicInteger calls = new AtomicInteger();
		CompletableFuture<String> slow = new CompletableFuture<>();
		CompletableFuture<String> first = this.cache.retrieve("k", () -> {
			calls.incrementAndGet();
			return slow;
		});
		org.awaitility.Awaitility.await().atMost(CacheFixture.BOUND).until(() -> calls.get() == 1);
		CompletableFuture<String> second = this.cache.retrieve("k", () -> {
			calls.incrementAndGet();
			return CompletableFuture.completedFuture("other");
		});
		slow.complete("v");
		assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("v");
		assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("v");
		assertThat(calls).hasValue(1);
	}

	@Test
	void retrieveWithAFailingLoaderFailsTheFutureAndCachesNothing() {
		CompletableFuture<String> failed = this.cache.retrieve("k",
				() -> CompletableFuture.failedFuture(new IllegalStateException("boom")));
		assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
			.isThrownBy(() -> failed.get(5, TimeUnit.SECONDS))
			.withRootCauseInstanceOf(IllegalStateException.class);
		assertThat(this.cache.get("k")).isNull();
	}

	@Test
	void batchGetReturnsWhatIsCachedAndBatchPutWritesAll() {
		this.twoTier.putAll(Map.of("a", "1", "b", "2"));
		clearLocalTier();
		assertThat(this.twoTier.getAll(List.of("a", "b", "c"))).containsOnly(Map.entry("a", "1"), Map.entry("b", "2"));
	}

	@Test
	void patternEvictionRemovesOnlyTheMatchingKeys() {
		this.cache.put("user:1:profile", "p1");
		this.cache.put("user:2:profile", "p2");
		this.cache.put("order:1", "o1");
		this.twoTier.evictMatching("user:*");
		assertThat(this.cache.get("user:1:profile")).isNull();
		assertThat(this.cache.get("user:2:profile")).isNull();
		assertThat(this.cache.get("order:1", String.class)).isEqualTo("o1");
	}

	@Test
	void hugeKeysWork() {
		String key = "k".repeat(100_000);
		this.cache.put(key, "v");
		assertThat(this.cache.get(key, String.class)).isEqualTo("v");
	}

	@Test
	void theNameAndNativeCacheAreExposed() {
		assertThat(this.cache.getName()).isEqualTo("conformance");
		if (mode() == CacheMode.REMOTE) {
			assertThat(this.cache.getNativeCache()).isNull();
		}
		else {
			assertThat(this.cache.getNativeCache()).isInstanceOf(com.github.benmanes.caffeine.cache.Cache.class);
		}
	}

	private void clearLocalTier() {
		if (mode() == CacheMode.TWO_TIER) {
			this.twoTier.flushLocal("test");
		}
	}

}
