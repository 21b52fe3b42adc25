package dev.perfkit.autoconfigure.cache;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.perfkit.autoconfigure.redis.PerfkitRedisAutoConfiguration;
import dev.perfkit.cache.TwoTierCacheManager;
import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.Resp;
import dev.perfkit.test.TestRedis;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Stale-if-error and refresh-ahead through Spring's {@code @Cacheable} unchanged, against
 * a real Redis: with {@code sync = true} both work; without it, the method's exception
 * reaches the caller (the documented limit).
 */
class PerfkitCacheFreshnessIntegrationTests {

	private static final Duration BOUND = Duration.ofSeconds(20);

	private static final Map<String, String> database = new ConcurrentHashMap<>();

	private static volatile boolean databaseDown;

	private static final AtomicInteger calls = new AtomicInteger();

	private ApplicationContextRunner runner(String... properties) {
		RedisEndpoint redis = TestRedis.get();
		String prefix = "perfkit:test:" + UUID.randomUUID() + ":";
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, PerfkitRedisAutoConfiguration.class,
					PerfkitCacheAutoConfiguration.class, CacheAutoConfiguration.class))
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withUserConfiguration(PriceConfiguration.class)
			.withPropertyValues("spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
					"perfkit.cache.key-prefix=" + prefix, "perfkit.cache.channel=" + prefix + "invalidations",
					"perfkit.cache.ttl-jitter=0",
					// No answer of a healthy Redis reaches it on a loaded machine: a slow read of
					// the stale entry is not handed to the failure policy (a miss).
					"perfkit.redis.command-timeout=10s")
			.withPropertyValues(properties);
	}

	@Test
	void cacheableWithSyncReturnsTheExpiredValueWhileTheDatabaseIsDown() {
		databaseDown = false;
		database.put("sku-1", "12.50");
		runner("perfkit.cache.caches.prices.ttl=300ms", "perfkit.cache.caches.prices.local.ttl=300ms",
				"perfkit.cache.caches.prices.stale-if-error=10m")
			.run((context) -> {
				awaitConnected(context);
				Prices prices = context.getBean(Prices.class);
				assertThat(prices.synced("sku-1")).isEqualTo("12.50");
				String key = context.getEnvironment().getProperty("perfkit.cache.key-prefix") + "prices:sku-1";
				RedisEndpoint redis = TestRedis.get();
				await("logically expired").atMost(BOUND).until(() -> {
					Object left = Resp.call(redis.host(), redis.port(), "PTTL", key);
					return left instanceof Long millis && millis >= 0 && millis <= Duration.ofMinutes(10).toMillis();
				});
				await("the local copy expired").atMost(BOUND)
					.until(() -> ((com.github.benmanes.caffeine.cache.Cache<Object, ?>) context.getBean(
							TwoTierCacheManager.class).getCache("prices").getNativeCache()).getIfPresent("sku-1") == null);
				databaseDown = true;

				assertThat(prices.synced("sku-1")).isEqualTo("12.50");
				assertThat(context.getBean(MeterRegistry.class).get("perfkit.cache.stale.served").counter().count())
					.isEqualTo(1);
				// Without sync, Spring reads, calls the method and propagates its exception.
				assertThatIllegalStateException().isThrownBy(() -> prices.unsynced("sku-1"));
			});
	}

	@Test
	void cacheableWithSyncRefreshesAHotKeyAhead() {
		databaseDown = false;
		database.put("sku-2", "v1");
		runner("perfkit.cache.caches.prices.ttl=4s", "perfkit.cache.caches.prices.local.ttl=4s",
				"perfkit.cache.caches.prices.refresh-ahead=50%")
			.run((context) -> {
				awaitConnected(context);
				Prices prices = context.getBean(Prices.class);
				assertThat(prices.synced("sku-2")).isEqualTo("v1");
				database.put("sku-2", "v2");
				// Reads past the threshold return the cached value and reload it in the background.
				// The reload writes the value, then counts itself: a read may see v2 before the
				// count, so wait for both.
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				await("refreshed").atMost(BOUND).untilAsserted(() -> {
					assertThat(prices.synced("sku-2")).isEqualTo("v2");
					assertThat(registry.get("perfkit.cache.refreshes").tag("result", "completed").counter().count())
						.isEqualTo(1);
				});
			});
	}

	private static void awaitConnected(org.springframework.context.ApplicationContext context) {
		TwoTierCacheManager manager = context.getBean(TwoTierCacheManager.class);
		await().atMost(BOUND).until(() -> manager.snapshot().redisAvailable() && manager.snapshot().subscribed());
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class PriceConfiguration {

		@Bean
		Prices prices() {
			return new Prices();
		}

	}

	static class Prices {

		@Cacheable(cacheNames = "prices", sync = true)
		public String synced(String sku) {
			return read(sku);
		}

		@Cacheable(cacheNames = "prices")
		public String unsynced(String sku) {
			return read(sku);
		}

		private static String read(String sku) {
			calls.incrementAndGet();
			if (databaseDown) {
				throw new IllegalStateException("database down");
			}
			return database.get(sku);
		}

	}

}
