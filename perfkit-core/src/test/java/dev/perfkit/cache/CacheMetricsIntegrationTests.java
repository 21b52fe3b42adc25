package dev.perfkit.cache;

import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.Resp;
import dev.perfkit.test.TestRedis;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The meter contract: names, types and low-cardinality tags, and the snapshot.
 */
class CacheMetricsIntegrationTests {

	@Test
	void metersCarryTheContractNamesAndTagsAndNeverAKey() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			CacheFixture.Instance a = fixture.instance(fixture.settings());
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			TwoTierCache cache = a.cache("prices");
			cache.get("secret-customer-key", () -> "v");
			cache.get("secret-customer-key");
			b.cache("prices").get("secret-customer-key");
			cache.put("secret-customer-key", "w");
			cache.evict("secret-customer-key");
			await().atMost(CacheFixture.BOUND).until(() -> b.count("perfkit.cache.invalidations.received") >= 2);

			SimpleMeterRegistry registry = a.registry();
			assertThat(a.count("perfkit.cache.gets", "cache", "prices", "tier", "local", "result", "hit")).isEqualTo(1);
			assertThat(a.count("perfkit.cache.gets", "cache", "prices", "tier", "local", "result", "miss")).isEqualTo(1);
			assertThat(a.count("perfkit.cache.gets", "cache", "prices", "tier", "remote", "result", "miss")).isEqualTo(1);
			assertThat(b.count("perfkit.cache.gets", "cache", "prices", "tier", "remote", "result", "hit")).isEqualTo(1);
			assertThat(registry.get("perfkit.cache.loads").tags("cache", "prices", "result", "success").timer().count())
				.isEqualTo(1);
			assertThat(a.count("perfkit.cache.puts", "cache", "prices")).isEqualTo(1);
			assertThat(a.count("perfkit.cache.evictions", "cache", "prices", "tier", "local")).isEqualTo(1);
			assertThat(a.count("perfkit.cache.evictions", "cache", "prices", "tier", "remote")).isEqualTo(1);
			assertThat(a.count("perfkit.cache.invalidations.sent", "cache", "prices")).isEqualTo(2);
			assertThat(registry.get("perfkit.cache.remote.latency").tags("cache", "prices").timer().count()).isPositive();
			assertThat(registry.get("perfkit.cache.size").tags("cache", "prices", "tier", "local").gauge().value())
				.isZero();
			assertThat(registry.get("perfkit.cache.breaker.state").gauge().value()).isZero();
			assertThat(registry.get("perfkit.cache.breaker.state").gauge().getId().getTags()).isEmpty();
			for (Meter meter : registry.getMeters()) {
				assertThat(meter.getId().getTags()).noneMatch((tag) -> tag.getValue().contains("secret"));
			}

			CacheStatisticsSnapshot snapshot = a.manager().snapshot();
			assertThat(snapshot.redisAvailable()).isTrue();
			assertThat(snapshot.subscribed()).isTrue();
			assertThat(snapshot.breakerState()).isEqualTo("CLOSED");
			assertThat(snapshot.caches()).singleElement().satisfies((view) -> {
				assertThat(view.name()).isEqualTo("prices");
				assertThat(view.mode()).isEqualTo(CacheMode.TWO_TIER);
				assertThat(view.counts().loads()).isEqualTo(1);
				assertThat(view.counts().puts()).isEqualTo(1);
			});
		}
	}

	@Test
	void remoteErrorsAndTheOpenBreakerAreCounted() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			CacheFixture.Instance a = fixture.faultInstance(fixture.settings());
			// A paused server keeps the connection open but answers nothing: commands time out.
			Resp.call("127.0.0.1", redis.port(), "CLIENT", "PAUSE", "15000", "ALL");
			// Read together: after the open duration (300 ms here) a heartbeat carries a trial,
			// and the breaker is half-open until that trial times out.
			await().atMost(CacheFixture.BOUND).untilAsserted(() -> {
				a.cache("prices").put("k", "v");
				assertThat(a.registry().get("perfkit.cache.breaker.state").gauge().value()).isEqualTo(2);
				assertThat(a.manager().snapshot().breakerState()).isEqualTo("OPEN");
			});
			assertThat(a.count("perfkit.cache.remote.errors", "cache", "prices")).isPositive();
			assertThat(a.cache("prices").get("k", String.class)).isEqualTo("v");
		}
	}

}
