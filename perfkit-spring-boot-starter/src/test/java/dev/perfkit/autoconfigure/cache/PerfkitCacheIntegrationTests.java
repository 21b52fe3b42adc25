package dev.perfkit.autoconfigure.cache;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.perfkit.autoconfigure.redis.PerfkitRedisAutoConfiguration;
import dev.perfkit.cache.TwoTierCacheManager;
import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.RedisSentinel;
import dev.perfkit.test.Resp;
import dev.perfkit.test.TestRedis;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two applications sharing one real Redis, using Spring's caching annotations unchanged.
 */
class PerfkitCacheIntegrationTests {

	private static final Duration BOUND = Duration.ofSeconds(20);

	/**
	 * The command timeout of the applications here: no answer of a healthy Redis reaches it
	 * on a loaded machine, so a slow answer is not handed to the failure policy (a miss
	 * that calls the method, a write to the local tier only) when a test asserts what Redis
	 * held or what the other application saw. A test that kills Redis sets the default
	 * instead.
	 */
	private static final String STEADY_COMMAND_TIMEOUT = "perfkit.redis.command-timeout=10s";

	private static final Map<String, String> database = new ConcurrentHashMap<>();

	private ApplicationContextRunner runner(String host, int port) {
		return runner("spring.data.redis.host=" + host, "spring.data.redis.port=" + port);
	}

	private ApplicationContextRunner runner(String... redisProperties) {
		String prefix = "perfkit:test:" + UUID.randomUUID() + ":";
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, PerfkitRedisAutoConfiguration.class,
					PerfkitCacheAutoConfiguration.class, PerfkitCacheHealthAutoConfiguration.class,
					CacheAutoConfiguration.class))
			.withUserConfiguration(PriceConfiguration.class)
			.withPropertyValues(redisProperties)
			.withPropertyValues("perfkit.cache.key-prefix=" + prefix, "perfkit.cache.channel=" + prefix + "invalidations",
					"perfkit.redis.circuit-breaker.open-duration=300ms", STEADY_COMMAND_TIMEOUT);
	}

	@Test
	void twoApplicationsStayCoherentThroughBootsSentinelConfiguration() {
		try (RedisSentinel sentinel = RedisSentinel.start()) {
			ApplicationContextRunner runner = runner("spring.data.redis.sentinel.master=" + RedisSentinel.MASTER_NAME,
					"spring.data.redis.sentinel.nodes=" + sentinel.sentinelNode());
			database.put("sku-5", "50.00");
			runner.run((a) -> runner.run((b) -> {
				awaitConnected(a);
				awaitConnected(b);
				Prices pricesA = a.getBean(Prices.class);
				Prices pricesB = b.getBean(Prices.class);
				pricesA.update("sku-5", "55.00");
				String prefix = a.getEnvironment().getProperty("perfkit.cache.key-prefix");
				assertThat(Resp.call("127.0.0.1", sentinel.master().port(), "EXISTS", prefix + "prices:sku-5"))
					.as("written to the master the Sentinel named").isEqualTo(1L);
				// A's announcement of its put may reach B during B's first read; it then wins
				// and B does not keep that read locally, so B reads until it holds the value.
				await("B holds it locally").atMost(BOUND)
					.until(() -> "55.00".equals(pricesB.price("sku-5")) && localTier(b, "prices").get("sku-5") != null);
				assertThat(pricesB.calls()).as("served from Redis").isZero();

				pricesA.remove("sku-5");

				await("B's local tier loses the evicted entry").atMost(BOUND)
					.until(() -> localTier(b, "prices").get("sku-5") == null);
				assertThat(Resp.call("127.0.0.1", sentinel.master().port(), "EXISTS", prefix + "prices:sku-5"))
					.isEqualTo(0L);
				assertThat(pricesB.price("sku-5")).isEqualTo("55.00");
				assertThat(pricesB.calls()).as("B had to load it again").isEqualTo(1);
			}));
		}
	}

	private static java.util.Map<?, ?> localTier(
			org.springframework.context.ApplicationContext context, String name) {
		return ((com.github.benmanes.caffeine.cache.Cache<?, ?>) context.getBean(TwoTierCacheManager.class)
			.getCache(name)
			.getNativeCache()).asMap();
	}

	@Test
	void annotatedCachingIsCoherentAcrossTwoApplications() {
		RedisEndpoint redis = TestRedis.get();
		ApplicationContextRunner runner = runner(redis.host(), redis.port());
		database.put("sku-1", "10.00");
		runner.run((a) -> runner.run((b) -> {
			Prices pricesA = a.getBean(Prices.class);
			Prices pricesB = b.getBean(Prices.class);
			awaitConnected(a);
			awaitConnected(b);
			assertThat(pricesA.price("sku-1")).isEqualTo("10.00");
			assertThat(pricesB.price("sku-1")).as("served from Redis").isEqualTo("10.00");
			assertThat(pricesB.calls()).isEqualTo(0);

			pricesA.update("sku-1", "12.00");
			await().atMost(BOUND).until(() -> "12.00".equals(pricesB.price("sku-1")));
			assertThat(pricesB.calls()).isEqualTo(0);

			database.put("sku-1", "14.00");
			pricesA.reset();
			await().atMost(BOUND).until(() -> "14.00".equals(pricesB.price("sku-1")));
		}));
	}

	@Test
	void syncCompletableFutureAndMonoMethodsAreCached() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		database.put("sku-2", "20.00");
		runner(redis.host(), redis.port()).run((context) -> {
			awaitConnected(context);
			Prices prices = context.getBean(Prices.class);
			assertThat(prices.priceSync("sku-2")).isEqualTo("20.00");
			assertThat(prices.priceSync("sku-2")).isEqualTo("20.00");
			assertThat(prices.priceAsync("sku-2").get(10, TimeUnit.SECONDS)).isEqualTo("20.00");
			assertThat(prices.priceAsync("sku-2").get(10, TimeUnit.SECONDS)).isEqualTo("20.00");
			assertThat(prices.priceMono("sku-2").block(Duration.ofSeconds(10))).isEqualTo("20.00");
			assertThat(prices.priceMono("sku-2").block(Duration.ofSeconds(10))).isEqualTo("20.00");
			assertThat(prices.calls()).isEqualTo(3);
		});
	}

	@Test
	void withTrackingARedisCliDeleteDropsBothApplicationsLocalCopiesThroughBootsLettuce() {
		try (RedisProcess redis = RedisProcess.start()) {
			ApplicationContextRunner runner = runner("127.0.0.1", redis.port())
				.withPropertyValues("perfkit.cache.cache-names=prices", "perfkit.cache.caches.prices.invalidation=tracking");
			database.put("sku-6", "60.00");
			runner.run((a) -> runner.run((b) -> {
				awaitConnected(a);
				awaitConnected(b);
				TwoTierCacheManager managerA = a.getBean(TwoTierCacheManager.class);
				TwoTierCacheManager managerB = b.getBean(TwoTierCacheManager.class);
				await("client tracking on").atMost(BOUND).until(() -> managerA.isTracking() && managerB.isTracking());
				HealthIndicator health = b.getBean("perfkitCacheHealthIndicator", HealthIndicator.class);
				assertThat(health.health().getDetails()).containsEntry("tracking", "on").containsEntry("state", "ok");
				Prices pricesA = a.getBean(Prices.class);
				Prices pricesB = b.getBean(Prices.class);
				// Each instance hears of the load's own fence and fill too, so read until both
				// hold the value locally.
				await("both hold it locally").atMost(BOUND)
					.until(() -> "60.00".equals(pricesA.price("sku-6")) && "60.00".equals(pricesB.price("sku-6"))
							&& localTier(a, "prices").get("sku-6") != null
							&& localTier(b, "prices").get("sku-6") != null);

				// Another writer, as redis-cli: perfkit never sees the command.
				database.put("sku-6", "61.00");
				String prefix = a.getEnvironment().getProperty("perfkit.cache.key-prefix");
				assertThat(Resp.call("127.0.0.1", redis.port(), "DEL", prefix + "prices:sku-6")).isEqualTo(1L);
				await("both local tiers lose it").atMost(BOUND)
					.until(() -> localTier(a, "prices").get("sku-6") == null
							&& localTier(b, "prices").get("sku-6") == null);
				assertThat(pricesB.price("sku-6")).isEqualTo("61.00");
			}));
		}
	}

	@Test
	void aRedisOutageIsReportedAsDegradedNotDownAndCallsKeepSucceeding() {
		try (RedisProcess redis = RedisProcess.start()) {
			database.put("sku-3", "30.00");
			// The default command timeout, as an outage is meant to be met.
			runner("127.0.0.1", redis.port()).withPropertyValues("perfkit.redis.command-timeout=250ms").run((context) -> {
				awaitConnected(context);
				HealthIndicator health = context.getBean("perfkitCacheHealthIndicator", HealthIndicator.class);
				assertThat(health.health().getDetails()).containsEntry("state", "ok");
				Prices prices = context.getBean(Prices.class);
				assertThat(prices.price("sku-3")).isEqualTo("30.00");

				redis.kill();
				await().atMost(BOUND).untilAsserted(() -> {
					Health degraded = health.health();
					assertThat(degraded.getStatus().getCode()).isEqualTo("DEGRADED");
					assertThat(degraded.getDetails()).containsEntry("state", "degraded");
				});
				assertThat(prices.price("sku-3")).isEqualTo("30.00");
				assertThat(prices.price("sku-4")).isNull();
				assertThat(prices.calls()).isEqualTo(2);
				prices.update("sku-3", "31.00");
				assertThat(prices.price("sku-3")).isEqualTo("31.00");

				redis.restart();
				await().atMost(BOUND).until(() -> "ok".equals(health.health().getDetails().get("state")));
				database.put("sku-3", "32.00");
				await("the local copy from the outage is flushed").atMost(BOUND)
					.until(() -> "32.00".equals(prices.price("sku-3")));
				String prefix = context.getEnvironment().getProperty("perfkit.cache.key-prefix");
				assertThat(Resp.call("127.0.0.1", redis.port(), "EXISTS", prefix + "prices:sku-3"))
					.as("values reach Redis again").isEqualTo(1L);
			});
		}
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

		private final AtomicInteger calls = new AtomicInteger();

		public int calls() {
			return this.calls.get();
		}

		@Cacheable("prices")
		public String price(String sku) {
			this.calls.incrementAndGet();
			return database.get(sku);
		}

		@Cacheable(cacheNames = "sync-prices", sync = true)
		public String priceSync(String sku) {
			this.calls.incrementAndGet();
			return database.get(sku);
		}

		@Cacheable("async-prices")
		public CompletableFuture<String> priceAsync(String sku) {
			this.calls.incrementAndGet();
			return CompletableFuture.completedFuture(database.get(sku));
		}

		@Cacheable("mono-prices")
		public Mono<String> priceMono(String sku) {
			return Mono.fromSupplier(() -> {
				this.calls.incrementAndGet();
				return database.get(sku);
			});
		}

		@CachePut(cacheNames = "prices", key = "#sku")
		public String update(String sku, String price) {
			database.put(sku, price);
			return price;
		}

		@CacheEvict(cacheNames = "prices", key = "#sku")
		public void remove(String sku) {
		}

		@CacheEvict(cacheNames = "prices", allEntries = true)
		public void reset() {
		}

	}

}
