package dev.perfkit.cache;

import java.util.List;
import java.util.stream.IntStream;

import dev.perfkit.test.RedisCluster;
import dev.perfkit.test.RedisEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cache on a local 3-master Redis Cluster, with keys spread over every master.
 */
class CacheClusterIntegrationTests {

	private static RedisCluster cluster;

	@BeforeAll
	static void startCluster() {
		cluster = RedisCluster.start();
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	@Test
	void putEvictClearPatternAndCrossInstanceInvalidationWorkOnACluster() throws Exception {
		try (CacheFixture fixture = new CacheFixture(cluster.seeds())) {
			TwoTierCache a = fixture.instance(fixture.settings()).cache("prices");
			TwoTierCache b = fixture.instance(fixture.settings()).cache("prices");
			List<String> keys = IntStream.range(0, 60).mapToObj((i) -> "sku-" + i).toList();
			keys.forEach((key) -> a.put(key, "v1"));
			assertThat(keysOnEachMaster(fixture)).allSatisfy((count) -> assertThat(count).isPositive());
			keys.forEach((key) -> assertThat(b.get(key, String.class)).isEqualTo("v1"));

			a.put("sku-1", "v2");
			await().atMost(CacheFixture.BOUND).until(() -> "v2".equals(b.get("sku-1", String.class)));
			a.evict("sku-2");
			await().atMost(CacheFixture.BOUND).until(() -> b.get("sku-2") == null);
			// Evicts and puts-if-absent run their script on whichever master owns the key.
			List<String> evicted = keys.subList(40, 60);
			evicted.forEach((key) -> assertThat(a.evictIfPresent(key)).as(key).isTrue());
			await().atMost(CacheFixture.BOUND).until(() -> evicted.stream().allMatch((key) -> b.get(key) == null));
			evicted.forEach((key) -> assertThat(a.putIfAbsent(key, "v3")).as(key).isNull());
			evicted.forEach((key) -> assertThat(a.putIfAbsent(key, "v4")).as(key)
				.extracting((wrapper) -> wrapper.get())
				.isEqualTo("v3"));
			await().atMost(CacheFixture.BOUND)
				.until(() -> evicted.stream().allMatch((key) -> "v3".equals(b.get(key, String.class))));
			assertThat(a.evictIfPresent("never-written")).isFalse();
			assertThat(b.getAll(List.of("sku-3", "sku-4", "nope"))).containsOnlyKeys("sku-3", "sku-4");

			a.evictMatching("sku-1*");
			await().atMost(CacheFixture.BOUND).until(() -> b.get("sku-1") == null && b.get("sku-15") == null);
			assertThat(b.get("sku-20", String.class)).isEqualTo("v1");

			a.clear();
			// Watch B's local tier only: a read that misses leaves a load's fence marker in Redis.
			await().atMost(CacheFixture.BOUND)
				.until(() -> ((com.github.benmanes.caffeine.cache.Cache<Object, ?>) b.getNativeCache()).getIfPresent("sku-20") == null);
			assertThat(keysOnEachMaster(fixture)).allSatisfy((count) -> assertThat(count).isZero());
			assertThat(b.get("sku-20")).isNull();
		}
	}

	private static List<Integer> keysOnEachMaster(CacheFixture fixture) {
		return cluster.nodes().stream().map((RedisEndpoint node) -> {
			// Each test cluster is this class's own, so its whole keyspace is the cache's.
			return ((Long) node.call("DBSIZE")).intValue();
		}).toList();
	}

}
