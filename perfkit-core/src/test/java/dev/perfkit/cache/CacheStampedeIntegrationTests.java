package dev.perfkit.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.TestRedis;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 100 threads on each of two instances ask for one cold key at once.
 */
class CacheStampedeIntegrationTests {

	@Test
	void aColdKeyIsLoadedAtMostOncePerInstance() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			AtomicInteger[] loads = stampede(fixture, fixture.settings());
			assertThat(loads[0].get()).isLessThanOrEqualTo(1);
			assertThat(loads[1].get()).isLessThanOrEqualTo(1);
			assertThat(loads[0].get() + loads[1].get()).isGreaterThanOrEqualTo(1);
		}
	}

	@Test
	void withTheDistributedLeaseAColdKeyIsLoadedOnceInTotal() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			CacheSettings settings = fixture.settings().withLease(true, Duration.ofSeconds(30), Duration.ofSeconds(30));
			AtomicInteger[] loads = stampede(fixture, settings);
			assertThat(loads[0].get() + loads[1].get()).isEqualTo(1);
		}
	}

	private static AtomicInteger[] stampede(CacheFixture fixture, CacheSettings settings) throws Exception {
		List<TwoTierCache> caches = List.of(fixture.instance(settings).cache("stats"),
				fixture.instance(settings).cache("stats"));
		AtomicInteger[] loads = { new AtomicInteger(), new AtomicInteger() };
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService threads = Executors.newFixedThreadPool(200);
		try {
			List<Future<String>> results = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				int instance = i % 2;
				results.add(threads.submit(() -> {
					start.await();
					return caches.get(instance).get("agent-7", () -> {
						loads[instance].incrementAndGet();
						return "statistics";
					});
				}));
			}
			start.countDown();
			for (Future<String> result : results) {
				assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo("statistics");
			}
		}
		finally {
			threads.shutdownNow();
		}
		return loads;
	}

}
