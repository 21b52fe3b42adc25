package dev.perfkit.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

import org.springframework.cache.Cache.ValueRetrievalException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Stale-if-error against a real Redis: an entry whose TTL ran out less than the window ago
 * is returned when, and only when, its loader throws, and never after an evict.
 * Instance B reads, so no local copy of A's write is involved: what is served comes from
 * Redis.
 */
class CacheStaleIfErrorIntegrationTests {

	private static final Duration WINDOW = Duration.ofMinutes(10);

	@Test
	void whenTheLoaderThrowsAnEntryThatExpiredWithinTheWindowIsReturnedAndCounted() throws Exception {
		try (CacheFixture fixture = CacheFixture.onTestRedis()) {
			CacheSettings settings = staleIfError(fixture, WINDOW);
			CacheFixture.Instance a = fixture.instance(settings);
			CacheFixture.Instance b = fixture.instance(settings);
			a.cache("prices").put("sku-1", "12.50");
			awaitLogicallyExpired(fixture, "prices", "sku-1");
			AtomicInteger calls = new AtomicInteger();

			assertThat(b.cache("prices").get("sku-1", failing(calls))).isEqualTo("12.50");
			assertThat(b.cache("prices").get("sku-1", failing(calls))).isEqualTo("12.50");
			// Each read tried the loader: the stale value is kept in no tier as fresh.
			assertThat(calls).hasValue(2);
			assertThat(b.count("perfkit.cache.stale.served")).isEqualTo(2);
			assertThat(b.manager().snapshot().caches().get(0).freshness().counts().staleServed()).isEqualTo(2);
		}
	}

	@Test
	void anAsyncLoadWhoseLoaderFailsReturnsTheExpiredValueToo() throws Exception {
		try (CacheFixture fixture = CacheFixture.onTestRedis()) {
			CacheSettings settings = staleIfError(fixture, WINDOW);
			CacheFixture.Instance a = fixture.instance(settings);
			CacheFixture.Instance b = fixture.instance(settings);
			a.cache("prices").put("sku-1", "12.50");
			awaitLogicallyExpired(fixture, "prices", "sku-1");

			java.util.concurrent.CompletableFuture<String> stale = b.cache("prices")
				.retrieve("sku-1",
						() -> java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("down")));
			assertThat(stale.get(CacheFixture.BOUND.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
				.isEqualTo("12.50");
			assertThat(b.count("perfkit.cache.stale.served")).isEqualTo(1);

			a.cache("prices").evict("sku-1");
			java.util.concurrent.CompletableFuture<String> evicted = b.cache("prices")
				.retrieve("sku-1",
						() -> java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("down")));
			assertThat(evicted).failsWithin(CacheFixture.BOUND)
				.withThrowableOfType(java.util.concurrent.ExecutionException.class)
				.withRootCauseInstanceOf(IllegalStateException.class);
		}
	}

	@Test
	void aStaleValueIsNeverReturnedWhenTheLoaderSucceeds() throws Exception {
		try (CacheFixture fixture = CacheFixture.onTestRedis()) {
			CacheSettings settings = staleIfError(fixture, WINDOW);
			CacheFixture.Instance a = fixture.instance(settings);
			CacheFixture.Instance b = fixture.instance(settings);
			a.cache("prices").put("sku-1", "12.50");
			awaitLogicallyExpired(fixture, "prices", "sku-1");
			AtomicInteger calls = new AtomicInteger();

			assertThat(b.cache("prices").get("sku-1", () -> "13.00")).isEqualTo("13.00");
			assertThat(b.cache("prices").get("sku-1", failing(calls))).isEqualTo("13.00");
			assertThat(a.cache("prices").get("sku-1", failing(calls))).isEqualTo("13.00");
			assertThat(calls).hasValue(0);
			assertThat(b.count("perfkit.cache.stale.served")).isZero();
		}
	}

	@Test
	void withStaleIfErrorOffTheLoadersErrorReachesTheCaller() throws Exception {
		try (CacheFixture fixture = CacheFixture.onTestRedis()) {
			CacheSettings settings = staleIfError(fixture, Duration.ZERO);
			CacheFixture.Instance a = fixture.instance(settings);
			CacheFixture.Instance b = fixture.instance(settings);
			a.cache("prices").put("sku-1", "12.50");
			await().atMost(CacheFixture.BOUND).until(() -> pttl(fixture, "prices", "sku-1") == -2);

			assertThatExceptionOfType(ValueRetrievalException.class)
				.isThrownBy(() -> b.cache("prices").get("sku-1", failing(new AtomicInteger())));
			assertThat(b.count("perfkit.cache.stale.served")).isZero();
		}
	}

	@Test
	void afterAnEvictTheLoadersErrorReachesTheCaller() throws Exception {
		try (CacheFixture fixture = CacheFixture.onTestRedis()) {
			CacheSettings settings = staleIfError(fixture, WINDOW);
			CacheFixture.Instance a = fixture.instance(settings);
			CacheFixture.Instance b = fixture.instance(settings);
			a.cache("prices").put("sku-1", "12.50");
			a.cache("prices").put("sku-2", "7.00");
			awaitLogicallyExpired(fixture, "prices", "sku-1");
			awaitLogicallyExpired(fixture, "prices", "sku-2");
			AtomicInteger calls = new AtomicInteger();

			// Evicted while logically expired, before any read.
			a.cache("prices").evict("sku-1");
			assertThatExceptionOfType(ValueRetrievalException.class)
				.isThrownBy(() -> b.cache("prices").get("sku-1", failing(calls)));

			// Evicted after a failed load left the stale value in its fence marker.
			assertThat(b.cache("prices").get("sku-2", failing(calls))).isEqualTo("7.00");
			a.cache("prices").evict("sku-2");
			assertThatExceptionOfType(ValueRetrievalException.class)
				.isThrownBy(() -> b.cache("prices").get("sku-2", failing(calls)));
			assertThatExceptionOfType(ValueRetrievalException.class)
				.isThrownBy(() -> a.cache("prices").get("sku-2", failing(calls)));
			assertThat(b.count("perfkit.cache.stale.served")).isEqualTo(1);
		}
	}

	@Test
	void aWriteOrEvictDuringTheFailingLoadWins() throws Exception {
		try (CacheFixture fixture = CacheFixture.onTestRedis()) {
			CacheSettings settings = staleIfError(fixture, WINDOW);
			CacheFixture.Instance a = fixture.instance(settings);
			CacheFixture.Instance b = fixture.instance(settings);
			a.cache("prices").put("sku-1", "12.50");
			a.cache("prices").put("sku-2", "7.00");
			awaitLogicallyExpired(fixture, "prices", "sku-1");
			awaitLogicallyExpired(fixture, "prices", "sku-2");

			// The load took the stale value with its fence; the evict, on the other instance,
			// lands before the loader throws.
			assertThatExceptionOfType(ValueRetrievalException.class)
				.isThrownBy(() -> b.cache("prices").get("sku-1", () -> {
					a.cache("prices").evict("sku-1");
					throw new IllegalStateException("database down");
				}));
			// Likewise a write: never the value it replaced.
			assertThatExceptionOfType(ValueRetrievalException.class)
				.isThrownBy(() -> b.cache("prices").get("sku-2", () -> {
					a.cache("prices").put("sku-2", "8.00");
					throw new IllegalStateException("database down");
				}));
			assertThat(b.count("perfkit.cache.stale.served")).isZero();
		}
	}

	@Test
	void aValueWrittenAfterTheEntryExpiredReplacesTheStaleOne() throws Exception {
		try (CacheFixture fixture = CacheFixture.onTestRedis()) {
			CacheSettings settings = staleIfError(fixture, WINDOW);
			CacheFixture.Instance a = fixture.instance(settings);
			CacheFixture.Instance b = fixture.instance(settings);
			a.cache("prices").put("sku-1", "12.50");
			awaitLogicallyExpired(fixture, "prices", "sku-1");
			AtomicInteger calls = new AtomicInteger();
			assertThat(b.cache("prices").get("sku-1", failing(calls))).isEqualTo("12.50");

			a.cache("prices").put("sku-1", "14.00");
			assertThat(b.cache("prices").get("sku-1", failing(calls))).isEqualTo("14.00");
			assertThat(calls).hasValue(1);
		}
	}

	private static CacheSettings staleIfError(CacheFixture fixture, Duration window) {
		// A 2 s TTL runs out soon; the window keeps the entry in Redis long after. Not
		// shorter: a value written during a test must still be fresh at its next steps,
		// however slow the machine.
		return fixture.settings()
			.withTtl(Duration.ofSeconds(2), Duration.ofSeconds(2))
			.withTtlJitter(0)
			.withFreshness(new Freshness(window, 0));
	}

	private static java.util.concurrent.Callable<String> failing(AtomicInteger calls) {
		return () -> {
			calls.incrementAndGet();
			throw new IllegalStateException("database down");
		};
	}

	private static void awaitLogicallyExpired(CacheFixture fixture, String cache, String key) {
		await("logical expiry of " + key).atMost(CacheFixture.BOUND).until(() -> {
			long left = pttl(fixture, cache, key);
			return left >= 0 && left <= WINDOW.toMillis();
		});
	}

	static long pttl(CacheFixture fixture, String cache, String key) {
		try (StatefulRedisConnection<String, String> connection = ((RedisClient) fixture.client()).connect()) {
			return connection.sync().pttl(fixture.prefix + cache + ":" + key);
		}
	}

}
