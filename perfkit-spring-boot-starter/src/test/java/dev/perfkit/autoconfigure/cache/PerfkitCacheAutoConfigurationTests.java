package dev.perfkit.autoconfigure.cache;

import java.time.Duration;
import java.util.Map;

import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import dev.perfkit.cache.CacheMode;
import dev.perfkit.cache.InvalidationMode;
import dev.perfkit.cache.TwoTierCache;
import dev.perfkit.cache.TwoTierCacheManager;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wiring of {@link PerfkitCacheAutoConfiguration} without Redis.
 */
class PerfkitCacheAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(PerfkitCacheAutoConfiguration.class, CacheAutoConfiguration.class));

	@Test
	void withCachingEnabledPerfkitIsTheApplicationsCacheManager() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(CacheManager.class);
			assertThat(context.getBean(CacheManager.class)).isInstanceOf(TwoTierCacheManager.class);
			TwoTierCache cache = (TwoTierCache) context.getBean(CacheManager.class).getCache("any");
			assertThat(cache.settings().mode()).as("no Redis: local only").isEqualTo(CacheMode.LOCAL);
		});
	}

	@Test
	void backsOffWhenTheUserDefinesACacheManager() {
		this.contextRunner.withUserConfiguration(UserCacheManagerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(CacheManager.class);
			assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class);
		});
	}

	@Test
	void doesNothingWithoutEnableCaching() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(TwoTierCacheManager.class));
	}

	@Test
	void perfkitCacheEnabledFalseLeavesBootsCacheManager() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("perfkit.cache.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(TwoTierCacheManager.class));
	}

	@Test
	void perCacheOverridesApplyOverTheDefaults() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("perfkit.cache.ttl=5m", "perfkit.cache.local.ttl=30s", "perfkit.cache.cache-names=pricing",
					"perfkit.cache.caches.pricing.ttl=1h", "perfkit.cache.caches.pricing.local.ttl=5m",
					"perfkit.cache.caches.pricing.local.max-size=50", "perfkit.cache.caches.pricing.cache-null-values=false")
			.run((context) -> {
				TwoTierCacheManager manager = context.getBean(TwoTierCacheManager.class);
				assertThat(manager.getCacheNames()).contains("pricing");
				TwoTierCache pricing = (TwoTierCache) manager.getCache("pricing");
				assertThat(pricing.settings().ttl()).isEqualTo(Duration.ofHours(1));
				assertThat(pricing.settings().localTtl()).isEqualTo(Duration.ofMinutes(5));
				assertThat(pricing.settings().localMaxSize()).isEqualTo(50);
				assertThat(pricing.isAllowNullValues()).isFalse();
				TwoTierCache other = (TwoTierCache) manager.getCache("other");
				assertThat(other.settings().ttl()).isEqualTo(Duration.ofMinutes(5));
				assertThat(other.settings().localTtl()).isEqualTo(Duration.ofSeconds(30));
			});
	}

	@Test
	void theInvalidationModeIsMessagesUnlessSetAndCanBeSetPerCache() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("perfkit.cache.caches.pricing.invalidation=tracking",
					"perfkit.cache.caches.stock.invalidation=both")
			.run((context) -> {
				TwoTierCacheManager manager = context.getBean(TwoTierCacheManager.class);
				assertThat(((TwoTierCache) manager.getCache("pricing")).settings().invalidation())
					.isEqualTo(InvalidationMode.TRACKING);
				assertThat(((TwoTierCache) manager.getCache("stock")).settings().invalidation())
					.isEqualTo(InvalidationMode.BOTH);
				assertThat(((TwoTierCache) manager.getCache("other")).settings().invalidation())
					.isEqualTo(InvalidationMode.MESSAGES);
			});
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("perfkit.cache.invalidation=tracking", "perfkit.cache.caches.pricing.invalidation=messages")
			.run((context) -> {
				TwoTierCacheManager manager = context.getBean(TwoTierCacheManager.class);
				assertThat(((TwoTierCache) manager.getCache("pricing")).settings().invalidation())
					.isEqualTo(InvalidationMode.MESSAGES);
				assertThat(((TwoTierCache) manager.getCache("other")).settings().invalidation())
					.isEqualTo(InvalidationMode.TRACKING);
			});
	}

	@Test
	void withDynamicOffOnlyTheListedCachesExist() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("perfkit.cache.cache-names=pricing", "perfkit.cache.dynamic=false")
			.run((context) -> {
				CacheManager manager = context.getBean(CacheManager.class);
				assertThat(manager.getCache("pricing")).isNotNull();
				assertThat(manager.getCache("other")).isNull();
				assertThat(manager.getCacheNames()).containsExactly("pricing");
			});
	}

	@Test
	void aLocalTtlLongerThanTheRemoteTtlFailsStartupNamingTheProperty() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("perfkit.cache.caches.pricing.ttl=1m", "perfkit.cache.caches.pricing.local.ttl=5m")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidPerfkitPropertyException.class)
					.hasMessageContaining("perfkit.cache.caches.pricing.local.ttl");
			});
	}

	@Test
	void aKeyPrefixOutsidePerfkitFailsStartup() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("perfkit.cache.key-prefix=app:")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidPerfkitPropertyException.class)
				.hasMessageContaining("perfkit.cache.key-prefix"));
	}

	@Test
	void anUnknownCodecFailsStartup() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("perfkit.cache.caches.pricing.codec=kryo")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidPerfkitPropertyException.class)
				.hasMessageContaining("perfkit.cache.caches.pricing.codec"));
	}

	@Test
	void customizersSetAPerEntryTtlFunction() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class, CustomizerConfiguration.class)
			.run((context) -> {
				TwoTierCache cache = (TwoTierCache) context.getBean(CacheManager.class).getCache("plans");
				assertThat(cache.settings().entryTtl().ttl("k", "pro")).isEqualTo(Duration.ofHours(2));
			});
	}

	@Test
	void warmersFillTheirCacheWhenTheApplicationIsReady() {
		TwoTierCacheManager manager = new TwoTierCacheManager(
				TwoTierCacheManager.uniform(dev.perfkit.cache.CacheSettings.defaults()), null,
				new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), "perfkit:x", java.util.List.of(), true);
		PerfkitCacheAutoConfiguration.warm(manager, new CacheWarmer() {
			@Override
			public String cacheName() {
				return "pricing";
			}

			@Override
			public Map<?, ?> entries() {
				return Map.of("basic", 10, "pro", 30);
			}
		});
		assertThat(manager.getCache("pricing").get("pro", Integer.class)).isEqualTo(30);
		manager.close();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class UserCacheManagerConfiguration {

		@Bean
		CacheManager userCacheManager() {
			return new ConcurrentMapCacheManager();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		@Bean
		CacheSettingsCustomizer planTtl() {
			return (name, settings) -> "plans".equals(name)
					? settings.withEntryTtl((key, value) -> "pro".equals(value) ? Duration.ofHours(2) : null) : settings;
		}

	}

}
