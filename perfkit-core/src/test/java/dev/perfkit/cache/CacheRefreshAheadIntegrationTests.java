package dev.perfkit.cache;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Refresh-ahead with two instances under steady reads of a hot key: past the threshold a
 * read returns the current value while one instance reloads it in the background.
 */
class CacheRefreshAheadIntegrationTests {

	@Test
	void noReadWaitsForTheLoaderAndTheLoaderRunsOncePerRefreshAcrossBothInstances() throws Exception {
		try (CacheFixture fixture = CacheFixture.onTestRedis()) {
			// 10 s TTL, refresh in its second half; the lease outlives the test, so the
			// instance that lost it does not try again.
			CacheSettings settings = fixture.settings()
				.withTtl(Duration.ofSeconds(10), Duration.ofSeconds(10))
				.withTtlJitter(0)
				.withLease(false, Duration.ofSeconds(60), Duration.ofSeconds(5))
				.withFreshness(new Freshness(Duration.ZERO, 0.5));
			List<CacheFixture.Instance> instances = List.of(fixture.instance(settings), fixture.instance(settings));
			AtomicInteger loads = new AtomicInteger();
			CountDownLatch gate = new CountDownLatch(1);
			Callable<String> loader = () -> {
				int n = loads.incrementAndGet();
				if (n >= 2) {
					// Refreshes wait for the test: a read that waited for one would never return.
					gate.await();
				}
				return "v" + n;
			};
			ExecutorService reader = Executors.newSingleThreadExecutor();
			try {
				assertThat(read(reader, instances.get(0), loader)).isEqualTo("v1");

				// Steady reads until the threshold passes and a refresh starts (and blocks).
				await("refresh started").atMost(CacheFixture.BOUND).until(() -> {
					for (CacheFixture.Instance instance : instances) {
						assertThat(read(reader, instance, loader)).isEqualTo("v1");
					}
					return loads.get() == 2;
				});
				// The refresh is blocked in its loader: reads on both instances still return at once.
				for (int i = 0; i < 20; i++) {
					for (CacheFixture.Instance instance : instances) {
						assertThat(read(reader, instance, loader)).isEqualTo("v1");
					}
				}
				await("the other instance skipped").atMost(CacheFixture.BOUND)
					.until(() -> total(instances, "skipped") >= 1);
				assertThat(loads).hasValue(2);
				assertThat(total(instances, "started")).isEqualTo(1);

				gate.countDown();
				await("refreshed value on both instances").atMost(CacheFixture.BOUND)
					.until(() -> "v2".equals(read(reader, instances.get(0), loader))
							&& "v2".equals(read(reader, instances.get(1), loader)));
				// The refresh writes its value, then counts itself: a read may see v2 first.
				await("the refresh counted").atMost(CacheFixture.BOUND)
					.until(() -> total(instances, "completed") >= 1);
				assertThat(loads).hasValue(2);
				assertThat(total(instances, "completed")).isEqualTo(1);

				// The next refresh, with the loader free: once again once in total.
				await("second refresh").atMost(CacheFixture.BOUND).until(() -> {
					for (CacheFixture.Instance instance : instances) {
						assertThat(read(reader, instance, loader)).isIn("v2", "v3");
					}
					return "v3".equals(read(reader, instances.get(0), loader))
							&& "v3".equals(read(reader, instances.get(1), loader));
				});
				await("the second refresh counted").atMost(CacheFixture.BOUND)
					.until(() -> total(instances, "completed") >= 2);
				assertThat(loads).hasValue(3);
				assertThat(total(instances, "started")).isEqualTo(2);
				assertThat(total(instances, "completed")).isEqualTo(2);
				assertThat(instances.get(0).manager().snapshot().caches().get(0).freshness().refreshAhead())
					.isEqualTo(0.5);
			}
			finally {
				gate.countDown();
				reader.shutdownNow();
			}
		}
	}

	@Test
	void aWriteDuringARefreshWins() throws Exception {
		try (CacheFixture fixture = CacheFixture.onTestRedis()) {
			CacheSettings settings = fixture.settings()
				.withTtl(Duration.ofSeconds(10), Duration.ofSeconds(10))
				.withTtlJitter(0)
				.withFreshness(new Freshness(Duration.ZERO, 0.5));
			CacheFixture.Instance a = fixture.instance(settings);
			CacheFixture.Instance b = fixture.instance(settings);
			CountDownLatch inLoader = new CountDownLatch(1);
			CountDownLatch gate = new CountDownLatch(1);
			AtomicInteger loads = new AtomicInteger();
			Callable<String> loader = () -> {
				if (loads.incrementAndGet() >= 2) {
					inLoader.countDown();
					gate.await();
					return "reloaded-before-the-write";
				}
				return "v1";
			};
			try {
				assertThat(a.cache("prices").get("sku-1", loader)).isEqualTo("v1");
				await("refresh started").atMost(CacheFixture.BOUND).until(() -> {
					a.cache("prices").get("sku-1", loader);
					return inLoader.getCount() == 0;
				});
				b.cache("prices").put("sku-1", "written");
				gate.countDown();
				await("refresh ended").atMost(CacheFixture.BOUND)
					.until(() -> a.count("perfkit.cache.refreshes", "result", "overtaken") == 1);
				assertThat(a.cache("prices").get("sku-1", loader)).isEqualTo("written");
				assertThat(b.cache("prices").get("sku-1", loader)).isEqualTo("written");
			}
			finally {
				gate.countDown();
			}
		}
	}

	@Test
	void asyncLoadsRefreshAheadToo() throws Exception {
		try (CacheFixture fixture = CacheFixture.onTestRedis()) {
			CacheSettings settings = fixture.settings()
				.withTtl(Duration.ofSeconds(4), Duration.ofSeconds(4))
				.withTtlJitter(0)
				.withFreshness(new Freshness(Duration.ZERO, 0.5));
			CacheFixture.Instance a = fixture.instance(settings);
			AtomicInteger loads = new AtomicInteger();
			java.util.function.Supplier<java.util.concurrent.CompletableFuture<String>> loader = () -> java.util.concurrent.CompletableFuture
				.completedFuture("v" + loads.incrementAndGet());
			assertThat(a.cache("stats").retrieve("hot", loader).get(20, TimeUnit.SECONDS)).isEqualTo("v1");
			await("refreshed").atMost(CacheFixture.BOUND)
				.until(() -> "v2".equals(a.cache("stats").retrieve("hot", loader).get(20, TimeUnit.SECONDS)));
			// The refresh writes its value, then counts itself: a read may see v2 first.
			await("the refresh counted").atMost(CacheFixture.BOUND)
				.until(() -> a.count("perfkit.cache.refreshes", "result", "completed") >= 1);
			assertThat(a.count("perfkit.cache.refreshes", "result", "completed")).isEqualTo(1);
			assertThat(loads).hasValue(2);
		}
	}

	private static String read(ExecutorService reader, CacheFixture.Instance instance, Callable<String> loader)
			throws Exception {
		// A read that waited for the blocked loader would hang: bound it so the test fails instead.
		return reader.submit(() -> instance.cache("stats").get("hot", loader))
			.get(CacheFixture.BOUND.toSeconds(), TimeUnit.SECONDS);
	}

	private static double total(List<CacheFixture.Instance> instances, String result) {
		return instances.stream().mapToDouble((i) -> i.count("perfkit.cache.refreshes", "result", result)).sum();
	}

}
