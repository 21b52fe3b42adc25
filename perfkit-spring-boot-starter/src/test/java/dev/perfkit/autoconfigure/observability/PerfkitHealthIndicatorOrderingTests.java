package dev.perfkit.autoconfigure.observability;

import java.util.UUID;

import dev.perfkit.autoconfigure.cache.PerfkitCacheAutoConfiguration;
import dev.perfkit.autoconfigure.cache.PerfkitCacheHealthAutoConfiguration;
import dev.perfkit.autoconfigure.query.PerfkitQueryAutoConfiguration;
import dev.perfkit.autoconfigure.ratelimit.RateLimitAutoConfiguration;
import dev.perfkit.autoconfigure.redis.PerfkitRedisAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With every perfkit auto-configuration present, the engines' own health indicators win
 * over the observability module's meter-based fallbacks, whatever the alphabetical order
 * of their packages; a fallback applies only where no engine brings an indicator.
 */
class PerfkitHealthIndicatorOrderingTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(PerfkitObservabilityAutoConfiguration.class,
				PerfkitQueryAutoConfiguration.class, PerfkitCacheAutoConfiguration.class,
				PerfkitCacheHealthAutoConfiguration.class, RateLimitAutoConfiguration.class,
				PerfkitRedisAutoConfiguration.class, CacheAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withUserConfiguration(CachingConfiguration.class)
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:ordering-" + UUID.randomUUID());

	@Test
	void theEnginesOwnCacheAndPoolIndicatorsWinAndTheRateLimitFallbackApplies() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean("perfkitCacheHealthIndicator").getClass().getName())
				.isEqualTo("dev.perfkit.autoconfigure.cache.PerfkitCacheHealthIndicator");
			assertThat(context.getBean("perfkitPoolHealthIndicator").getClass().getName())
				.isEqualTo("dev.perfkit.autoconfigure.query.PoolHealthIndicator");
			// Rate limiting has no indicator of its own: the breaker-based one stands in.
			assertThat(context.getBean("perfkitRateLimitHealthIndicator"))
				.isInstanceOf(RemoteBreakerHealthIndicator.class);
		});
	}

	@Test
	void bootsHealthSwitchRemovesEachIndicatorInsteadOfSwappingInTheFallback() {
		this.contextRunner
			.withPropertyValues("management.health.perfkitpool.enabled=false",
					"management.health.perfkitcache.enabled=false", "management.health.perfkitratelimit.enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean("perfkitCacheHealthIndicator")
					.doesNotHaveBean("perfkitPoolHealthIndicator")
					.doesNotHaveBean("perfkitRateLimitHealthIndicator");
			});
	}

	@Test
	void theSwitchAcceptsBootsRelaxedSpellingOfTheIndicatorName() {
		this.contextRunner.withPropertyValues("management.health.perfkitCache.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("perfkitCacheHealthIndicator")
				.hasBean("perfkitPoolHealthIndicator"));
	}

	@Test
	void bootsDefaultsSwitchRemovesThemAllAndOneCanBeSwitchedBackOn() {
		this.contextRunner
			.withPropertyValues("management.health.defaults.enabled=false", "management.health.perfkitpool.enabled=true")
			.run((context) -> assertThat(context).doesNotHaveBean("perfkitCacheHealthIndicator")
				.doesNotHaveBean("perfkitRateLimitHealthIndicator")
				.hasBean("perfkitPoolHealthIndicator"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

	}

}
