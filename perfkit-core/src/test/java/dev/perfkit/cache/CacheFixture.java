package dev.perfkit.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorSettings;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import static org.awaitility.Awaitility.await;

/**
 * Builds cache managers against a real Redis for tests, each test under a key prefix and
 * channel of its own, and closes everything it built.
 */
final class CacheFixture implements AutoCloseable {

	static final Duration BOUND = Duration.ofSeconds(20);

	/** Tests hear of lost messages and reconcile sooner than the default second. */
	static final Duration HEARTBEAT = Duration.ofMillis(100);

	final String prefix = "perfkit:test:" + UUID.randomUUID() + ":";

	final String channel = this.prefix + "invalidations";

	/** The heartbeat of the instances built from now on. */
	Duration heartbeat = HEARTBEAT;

	private final AbstractRedisClient client;

	private final List<AutoCloseable> closeables = new ArrayList<>();

	CacheFixture(String host, int port) {
		this.client = RedisClient.create(RedisURI.create(host, port));
	}

	CacheFixture(RedisURI uri) {
		this.client = RedisClient.create(uri);
	}

	CacheFixture(List<String> clusterSeeds) {
		this.client = RedisClusterClient.create(clusterSeeds.stream().map((seed) -> {
			String[] parts = seed.split(":");
			return RedisURI.create(parts[0], Integer.parseInt(parts[1]));
		}).toList());
	}

	/**
	 * A fixture on the shared test Redis.
	 */
	static CacheFixture onTestRedis() {
		dev.perfkit.test.RedisEndpoint redis = dev.perfkit.test.TestRedis.get();
		return new CacheFixture(redis.host(), redis.port());
	}

	CacheSettings settings() {
		return CacheSettings.defaults().withKeyPrefix(this.prefix);
	}

	/**
	 * Connector settings for tests that inject no fault and assert what Redis answered or
	 * holds: a 10 s command timeout, which no answer of a healthy Redis reaches however
	 * loaded the machine, so a slow answer is never handed to the failure policy (a miss, a
	 * write to the local tier only, an open breaker).
	 * @return the settings
	 */
	static RedisConnectorSettings steadyConnector() {
		return RedisConnectorSettings.defaults("cache").withCommandTimeout(Duration.ofSeconds(10));
	}

	/**
	 * Connector settings for tests that inject faults (a paused or killed Redis, a killed
	 * connection, a failover): a 500 ms command timeout, and a breaker that opens after 3
	 * consecutive failures, for 300 ms, so that a fault shows quickly. Such tests assert
	 * only what a slow answer cannot change, or wait for it.
	 * @return the settings
	 */
	static RedisConnectorSettings faultConnector() {
		return RedisConnectorSettings.defaults("cache").withCommandTimeout(Duration.ofMillis(500))
			.withBreaker(3, Duration.ofMillis(300));
	}

	/**
	 * An instance with the {@linkplain #steadyConnector() steady connector settings}.
	 * @param settings the cache settings
	 * @return the instance
	 */
	Instance instance(CacheSettings settings) {
		return instance(settings, steadyConnector());
	}

	/**
	 * An instance with the {@linkplain #faultConnector() connector settings for fault
	 * tests}.
	 * @param settings the cache settings
	 * @return the instance
	 */
	Instance faultInstance(CacheSettings settings) {
		return instance(settings, faultConnector());
	}

	Instance instance(CacheSettings settings, RedisConnectorSettings connectorSettings) {
		RedisConnector connector = (settings.mode() == CacheMode.LOCAL) ? null
				: new RedisConnector(() -> this.client, connectorSettings);
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		TwoTierCacheManager manager = new TwoTierCacheManager(TwoTierCacheManager.uniform(settings), connector,
				registry, this.channel, List.of(), true);
		manager.heartbeat(this.heartbeat);
		manager.start();
		this.closeables.add(manager);
		if (connector != null) {
			this.closeables.add(connector);
			await("cache connected to Redis").atMost(BOUND).until(connector::isAvailable);
			if (settings.mode() == CacheMode.TWO_TIER) {
				await("invalidation subscription").atMost(BOUND).until(() -> manager.snapshot().subscribed());
			}
		}
		return new Instance(manager, registry, connector);
	}

	AbstractRedisClient client() {
		return this.client;
	}

	@Override
	public void close() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
		this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
	}

	record Instance(TwoTierCacheManager manager, SimpleMeterRegistry registry, RedisConnector connector) {

		TwoTierCache cache(String name) {
			return (TwoTierCache) this.manager.getCache(name);
		}

		/**
		 * Return what this instance's local tier holds for a key (the store value), or
		 * {@code null}, without touching Redis.
		 */
		Object localValue(String cacheName, String key) {
			@SuppressWarnings("unchecked")
			var local = (com.github.benmanes.caffeine.cache.Cache<String, LocalTier.Entry>) cache(cacheName)
				.getNativeCache();
			LocalTier.Entry entry = local.getIfPresent(key);
			return (entry != null) ? entry.value() : null;
		}

		double count(String meter, String... tags) {
			var search = this.registry.find(meter).tags(tags);
			return search.counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
		}

	}

}
