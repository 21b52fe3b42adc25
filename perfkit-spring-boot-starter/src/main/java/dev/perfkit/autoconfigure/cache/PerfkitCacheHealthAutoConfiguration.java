package dev.perfkit.autoconfigure.cache;

import dev.perfkit.autoconfigure.ConditionalOnPerfkitEnabled;
import dev.perfkit.cache.TwoTierCacheManager;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code perfkitCache} health indicator, reporting a Redis outage as degraded rather
 * than down. Boot's {@code management.health.perfkitcache.enabled=false} removes it.
 */
@AutoConfiguration(after = PerfkitCacheAutoConfiguration.class)
@ConditionalOnPerfkitEnabled
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(TwoTierCacheManager.class)
public final class PerfkitCacheHealthAutoConfiguration {

	// The switch is on the method, not the class: a class-level condition's class is loaded
	// before @ConditionalOnClass is evaluated, and spring-boot-health may be absent.
	@Bean
	@ConditionalOnMissingBean(name = "perfkitCacheHealthIndicator")
	@ConditionalOnEnabledHealthIndicator("perfkitcache")
	HealthIndicator perfkitCacheHealthIndicator(TwoTierCacheManager manager) {
		return new PerfkitCacheHealthIndicator(manager);
	}

}
