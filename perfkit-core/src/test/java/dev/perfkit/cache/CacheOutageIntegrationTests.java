package dev.perfkit.cache;

import java.util.concurrent.atomic.AtomicInteger;

import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.Resp;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis processes of the tests' own, killed and restarted mid-test.
 */
class CacheOutageIntegrationTests {

	@Test
	void callsKeepSucceedingWhileRedisIsDownAndNothingStaleIsServedAfterItReturns() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			CacheFixture.Instance a = fixture.faultInstance(fixture.settings());
			CacheFixture.Instance b = fixture.faultInstance(fixture.settings());
			AtomicInteger loads = new AtomicInteger();
			a.cache("credits").put("alice", 100);
			assertThat(b.cache("credits").get("alice", Integer.class)).isEqualTo(100);

			assertThat(breakerGauge(a)).isZero();
			redis.kill();
			await().atMost(CacheFixture.BOUND).until(() -> !a.connector().isAvailable());
			// The breaker gauge reads open for as long as the connection is lost, though no
			// call waited for a timeout that would have tripped the breaker itself.
			await().atMost(CacheFixture.BOUND).until(() -> breakerGauge(a) == 2);
			// Local hits are served, misses call the loader and fill the local tier.
			assertThat(a.cache("credits").get("alice", Integer.class)).isEqualTo(100);
			for (int i = 0; i < 20; i++) {
				assertThat(a.cache("credits").get("bob", () -> 50 + loads.incrementAndGet())).isEqualTo(51);
			}
			assertThat(loads).hasValue(1);
			// A write during the outage reaches only A's local tier; B still holds 100.
			a.cache("credits").put("alice", 70);
			assertThat(a.cache("credits").get("alice", Integer.class)).isEqualTo(70);
			// So do a put-if-absent and an evict: answered from the local tier alone.
			assertThat(a.cache("credits").putIfAbsent("dave", 5)).isNull();
			assertThat(a.cache("credits").putIfAbsent("dave", 6)).extracting((wrapper) -> wrapper.get()).isEqualTo(5);
			assertThat(a.cache("credits").evictIfPresent("bob")).isTrue();
			assertThat(a.cache("credits").evictIfPresent("bob")).isFalse();
			assertThat(a.cache("credits").get("bob", () -> 50 + loads.incrementAndGet())).isEqualTo(52);
			double bFlushes = b.count("perfkit.cache.local.flushes");

			redis.restart();
			await("B flushed after Redis returned").atMost(CacheFixture.BOUND)
				.until(() -> b.count("perfkit.cache.local.flushes") > bFlushes);
			assertThat(b.cache("credits").get("alice")).isNull();
			await("values reach Redis again").atMost(CacheFixture.BOUND).untilAsserted(() -> {
				a.cache("credits").put("carol", 10);
				assertThat(Resp.call("127.0.0.1", redis.port(), "EXISTS", fixture.prefix + "credits:carol")).isEqualTo(1L);
			});
			assertThat(b.cache("credits").get("carol", Integer.class)).isEqualTo(10);
			assertThat(breakerGauge(a)).isZero();
		}
	}

	private static double breakerGauge(CacheFixture.Instance instance) {
		return instance.registry().get("perfkit.cache.breaker.state").gauge().value();
	}

	@Test
	void theCacheStartsAndServesLocallyWhenRedisIsDownAtBoot() throws Exception {
		int deadPort;
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			deadPort = socket.getLocalPort();
		}
		try (CacheFixture fixture = new CacheFixture("127.0.0.1", deadPort)) {
			dev.perfkit.redis.RedisConnector connector = new dev.perfkit.redis.RedisConnector(fixture::client,
					dev.perfkit.redis.RedisConnectorSettings.defaults("cache"));
			try (TwoTierCacheManager manager = new TwoTierCacheManager(
					TwoTierCacheManager.uniform(fixture.settings()), connector,
					new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), fixture.channel,
					java.util.List.of(), true)) {
				manager.start();
				AtomicInteger loads = new AtomicInteger();
				org.springframework.cache.Cache cache = manager.getCache("pricing");
				assertThat(cache.get("plan", () -> "pro-" + loads.incrementAndGet())).isEqualTo("pro-1");
				assertThat(cache.get("plan", () -> "pro-" + loads.incrementAndGet())).isEqualTo("pro-1");
				cache.put("other", "x");
				cache.evict("other");
				cache.clear();
				assertThat(manager.snapshot().redisAvailable()).isFalse();
			}
			finally {
				connector.close();
			}
		}
	}

}
