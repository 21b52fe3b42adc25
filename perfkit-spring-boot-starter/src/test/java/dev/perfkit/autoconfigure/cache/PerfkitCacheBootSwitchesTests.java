package dev.perfkit.autoconfigure.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import dev.perfkit.autoconfigure.redis.PerfkitRedisAutoConfiguration;
import dev.perfkit.cache.TwoTierCacheManager;
import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.TestRedis;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.cache.support.NoOpCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * perfkit's cache honours Boot's own cache switches: {@code spring.cache.type}, the
 * {@link CacheManagerCustomizer} beans and Boot's {@code cache.*} meters.
 */
class PerfkitCacheBootSwitchesTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(PerfkitCacheAutoConfiguration.class, CacheAutoConfiguration.class,
				CacheMetricsAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withUserConfiguration(CachingConfiguration.class);

	@Test
	void withoutSpringCacheTypePerfkitIsTheCacheManager() {
		this.contextRunner.run((context) -> assertThat(context.getBean(CacheManager.class))
			.isInstanceOf(TwoTierCacheManager.class));
	}

	@Test
	void springCacheTypePerfkitSelectsPerfkitExplicitly() {
		this.contextRunner.withPropertyValues("spring.cache.type=perfkit")
			.run((context) -> assertThat(context.getBean(CacheManager.class))
				.isInstanceOf(TwoTierCacheManager.class));
	}

	@Test
	void springCacheTypeNoneSwitchesCachingOff() {
		this.contextRunner.withPropertyValues("spring.cache.type=none").run((context) -> {
			assertThat(context).doesNotHaveBean(TwoTierCacheManager.class);
			assertThat(context.getBean(CacheManager.class)).isInstanceOf(NoOpCacheManager.class);
			Pricing pricing = context.getBean(Pricing.class);
			pricing.price("a");
			pricing.price("a");
			pricing.price("a");
			assertThat(pricing.calls()).as("no caching: the method runs every time").isEqualTo(3);
		});
	}

	@Test
	void anotherSpringCacheTypeLeavesTheChoiceToBoot() {
		this.contextRunner.withPropertyValues("spring.cache.type=simple").run((context) -> {
			assertThat(context).doesNotHaveBean(TwoTierCacheManager.class);
			assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class);
		});
	}

	@Test
	void cacheManagerCustomizersForPerfkitsManagerAreApplied() {
		this.contextRunner.withUserConfiguration(CustomizerConfiguration.class).run((context) -> {
			CustomizerConfiguration customizers = context.getBean(CustomizerConfiguration.class);
			assertThat(customizers.perfkit).containsExactly(context.getBean(TwoTierCacheManager.class));
			assertThat(customizers.generic).containsExactly(context.getBean(TwoTierCacheManager.class));
			assertThat(customizers.concurrentMap).as("a customizer of another manager type is skipped").isEmpty();
		});
	}

	@Test
	void bootsCacheMetersAreRegisteredForPerfkitsCachesAndReadPerfkitsCounts() {
		this.contextRunner.withPropertyValues("perfkit.cache.cache-names=pricing").run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			Pricing pricing = context.getBean(Pricing.class);
			pricing.price("a");
			pricing.price("a");
			pricing.price("a");
			pricing.price("b");
			assertThat(registry.get("cache.gets").tag("cache", "pricing").tag("result", "hit").functionCounter().count())
				.isEqualTo(2);
			assertThat(registry.get("cache.gets").tag("cache", "pricing").tag("result", "miss").functionCounter().count())
				.isEqualTo(2);
			assertThat(registry.get("cache.puts").tag("cache", "pricing").functionCounter().count()).isEqualTo(2);
			assertThat(registry.get("cache.size").tag("cache", "pricing").gauge().value()).isEqualTo(2);
			assertThat(registry.get("cache.gets").tag("cache", "pricing").tag("cache.manager", "cacheManager")
				.functionCounters()).hasSize(2);
			// perfkit's own meters are still its own, counted once.
			assertThat(registry.get("perfkit.cache.gets").tag("cache", "pricing").tag("tier", "local")
				.tag("result", "hit").counter().count()).isEqualTo(2);
		});
	}

	@Test
	void withRedisAHitOnEitherTierIsAHitAndAMissOnBothIsAMiss() {
		RedisEndpoint redis = TestRedis.get();
		String cache = "pricing-" + UUID.randomUUID();
		ApplicationContextRunner twoTier = this.contextRunner
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
					PerfkitRedisAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
					"perfkit.cache.cache-names=" + cache,
					// No answer of a healthy Redis reaches it on a loaded machine: a slow put or
					// read is not handed to the failure policy (a miss instead of the remote hit).
					"perfkit.redis.command-timeout=10s");
		twoTier.run((a) -> twoTier.run((b) -> {
			TwoTierCacheManager managerA = a.getBean(TwoTierCacheManager.class);
			TwoTierCacheManager managerB = b.getBean(TwoTierCacheManager.class);
			await().atMost(Duration.ofSeconds(20))
				.until(() -> managerA.snapshot().subscribed() && managerB.snapshot().subscribed());
			managerA.getCache(cache).get("a"); // miss on both tiers
			managerA.getCache(cache).put("a", "A");
			managerA.getCache(cache).get("a"); // local hit
			managerB.getCache(cache).get("a"); // local miss, remote hit
			managerB.getCache(cache).get("b"); // miss on both tiers
			MeterRegistry metersA = a.getBean(MeterRegistry.class);
			MeterRegistry metersB = b.getBean(MeterRegistry.class);
			assertThat(gets(metersA, cache, "hit")).isEqualTo(1);
			assertThat(gets(metersA, cache, "miss")).isEqualTo(1);
			assertThat(gets(metersB, cache, "hit")).as("the remote hit").isEqualTo(1);
			assertThat(gets(metersB, cache, "miss")).isEqualTo(1);
		}));
	}

	private static double gets(MeterRegistry registry, String cache, String result) {
		return registry.get("cache.gets").tag("cache", cache).tag("result", result).functionCounter().count();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

		@Bean
		Pricing pricing() {
			return new Pricing();
		}

	}

	static class Pricing {

		final AtomicInteger calls = new AtomicInteger();

		@Cacheable("pricing")
		public String price(String plan) {
			this.calls.incrementAndGet();
			return plan.toUpperCase();
		}

		public int calls() {
			return this.calls.get();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		final List<CacheManager> perfkit = new ArrayList<>();

		final List<CacheManager> generic = new ArrayList<>();

		final List<CacheManager> concurrentMap = new ArrayList<>();

		@Bean
		CacheManagerCustomizer<TwoTierCacheManager> perfkitCustomizer() {
			return this.perfkit::add;
		}

		@Bean
		CacheManagerCustomizer<CacheManager> genericCustomizer() {
			return this.generic::add;
		}

		@Bean
		CacheManagerCustomizer<ConcurrentMapCacheManager> concurrentMapCustomizer() {
			return this.concurrentMap::add;
		}

	}

}
