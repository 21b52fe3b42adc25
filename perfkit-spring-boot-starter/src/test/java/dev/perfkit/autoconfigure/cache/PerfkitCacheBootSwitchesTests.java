package dev.perfkit.autoconfigure.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.perfkit.cache.TwoTierCacheManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.cache.support.NoOpCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

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
