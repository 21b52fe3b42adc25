package dev.perfkit.autoconfigure.cache;

import java.time.Duration;

import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import dev.perfkit.autoconfigure.observability.PerfkitObservabilityAutoConfiguration;
import dev.perfkit.cache.Freshness;
import dev.perfkit.cache.TwoTierCache;
import dev.perfkit.report.CacheSection;
import dev.perfkit.report.PerformanceReport;
import dev.perfkit.report.PerformanceReportEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stale-if-error and refresh-ahead properties: binding, defaults, startup failures that
 * name the property, and the report entries.
 */
class PerfkitCacheFreshnessTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(PerfkitCacheAutoConfiguration.class, CacheAutoConfiguration.class,
				PerfkitObservabilityAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withUserConfiguration(CachingConfiguration.class);

	@Test
	void bothAreOffByDefault() {
		this.contextRunner.run((context) -> assertThat(settings(context, "pricing")).isEqualTo(Freshness.OFF));
	}

	@Test
	void perCacheValuesOverrideTheDefaults() {
		this.contextRunner
			.withPropertyValues("perfkit.cache.stale-if-error=1m", "perfkit.cache.caches.pricing.stale-if-error=10m",
					"perfkit.cache.caches.pricing.refresh-ahead=80%", "perfkit.cache.caches.plans.refresh-ahead=0.5")
			.run((context) -> {
				assertThat(settings(context, "pricing")).isEqualTo(new Freshness(Duration.ofMinutes(10), 0.8));
				assertThat(settings(context, "plans")).isEqualTo(new Freshness(Duration.ofMinutes(1), 0.5));
				assertThat(settings(context, "other")).isEqualTo(new Freshness(Duration.ofMinutes(1), 0));
			});
	}

	@Test
	void aRefreshAheadOf100PercentFailsStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("perfkit.cache.caches.pricing.refresh-ahead=100%")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidPerfkitPropertyException.class)
				.hasMessageContaining("perfkit.cache.caches.pricing.refresh-ahead"));
	}

	@Test
	void aRefreshAheadBelowOnePercentFailsStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("perfkit.cache.refresh-ahead=0.5%")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidPerfkitPropertyException.class)
				.hasMessageContaining("perfkit.cache.refresh-ahead"));
	}

	@Test
	void aNegativeStaleIfErrorFailsStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("perfkit.cache.caches.pricing.stale-if-error=-1s")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidPerfkitPropertyException.class)
				.hasMessageContaining("perfkit.cache.caches.pricing.stale-if-error"));
	}

	@Test
	void theReportShowsTheSettingsAndCountsOfCachesThatHaveThemOn() {
		this.contextRunner
			.withPropertyValues("perfkit.cache.cache-names=pricing,plans", "perfkit.cache.caches.pricing.stale-if-error=10m",
					"perfkit.cache.caches.pricing.refresh-ahead=80%")
			.run((context) -> {
				PerformanceReport report = context.getBean(PerformanceReportEngine.class).report();
				assertThat(cache(report, "pricing").details()).containsEntry("staleIfError", "10m")
					.containsEntry("staleServed", 0L)
					.containsEntry("refreshAhead", "80%")
					.containsEntry("refreshesStarted", 0L)
					.containsEntry("refreshesSkipped", 0L);
				assertThat(cache(report, "plans").details()).doesNotContainKeys("staleIfError", "refreshAhead");
			});
	}

	private static Freshness settings(org.springframework.context.ApplicationContext context, String name) {
		return ((TwoTierCache) context.getBean(CacheManager.class).getCache(name)).settings().freshness();
	}

	private static CacheSection.Cache cache(PerformanceReport report, String name) {
		return report.cache().caches().stream().filter((cache) -> cache.name().equals(name)).findFirst().orElseThrow();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

	}

}
