package dev.perfkit.autoconfigure.cache;

import dev.perfkit.autoconfigure.observability.PerfkitObservabilityAutoConfiguration;
import dev.perfkit.report.CacheSection;
import dev.perfkit.report.PerformanceReport;
import dev.perfkit.report.PerformanceReportEngine;
import dev.perfkit.report.ReportContributor;
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
 * The cache's report contributor: effective settings per cache in the report, the TTL in
 * the low-hit-rate recommendation.
 */
class CacheReportContributorTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(PerfkitCacheAutoConfiguration.class, CacheAutoConfiguration.class,
				PerfkitObservabilityAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withUserConfiguration(CachingConfiguration.class)
		.withPropertyValues("perfkit.cache.cache-names=pricing,plans", "perfkit.cache.caches.pricing.ttl=5s",
				"perfkit.cache.caches.pricing.local.ttl=2s", "perfkit.cache.caches.pricing.local.max-size=50",
				"perfkit.report.min-cache-gets=10");

	@Test
	void everyCacheCarriesItsEffectiveSettingsAndLocalSizeEvenBeforeItsFirstGet() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasBean("perfkitCacheReportContributor");
			context.getBean(CacheManager.class).getCache("pricing").put("pro", 30);
			PerformanceReport report = context.getBean(PerformanceReportEngine.class).report();
			assertThat(report.cache().caches()).extracting(CacheSection.Cache::name).contains("pricing", "plans");
			CacheSection.Cache pricing = cache(report, "pricing");
			assertThat(pricing.details()).containsEntry("ttl", "5s")
				.containsEntry("localTtl", "2s")
				.containsEntry("mode", "local")
				.containsEntry("localSize", 1L)
				.containsEntry("localMaxSize", 50L)
				.containsEntry("breakerState", "none");
			assertThat(cache(report, "plans").details()).containsEntry("localSize", 0L);
		});
	}

	@Test
	void aLowHitRateRecommendationNamesTheCachesTtl() {
		this.contextRunner.run((context) -> {
			org.springframework.cache.Cache pricing = context.getBean(CacheManager.class).getCache("pricing");
			for (int i = 0; i < 20; i++) {
				assertThat(pricing.get("sku-" + i)).isNull();
			}
			PerformanceReport report = context.getBean(PerformanceReportEngine.class).report();
			assertThat(report.recommendations()).anySatisfy((recommendation) -> {
				assertThat(recommendation.subject()).isEqualTo("pricing");
				assertThat(recommendation.message()).contains("its 5s TTL may be too short");
				assertThat(recommendation.evidence()).containsEntry("ttl", "5s");
			});
		});
	}

	@Test
	void aUserContributorOfTheSameNameReplacesIt() {
		ReportContributor own = (draft) -> draft.cacheDetail("pricing", "from", "user");
		this.contextRunner.withBean("perfkitCacheReportContributor", ReportContributor.class, () -> own)
			.run((context) -> assertThat(context.getBean("perfkitCacheReportContributor")).isSameAs(own));
	}

	@Test
	void formatsDurationsInTheirLargestWholeUnit() {
		assertThat(CacheReportContributor.format(250)).isEqualTo("250ms");
		assertThat(CacheReportContributor.format(5_000)).isEqualTo("5s");
		assertThat(CacheReportContributor.format(90_000)).isEqualTo("90s");
		assertThat(CacheReportContributor.format(600_000)).isEqualTo("10m");
		assertThat(CacheReportContributor.format(7_200_000)).isEqualTo("2h");
		assertThat(CacheReportContributor.format(86_400_000)).isEqualTo("1d");
		assertThat(CacheReportContributor.format(0)).isEqualTo("0ms");
	}

	private static CacheSection.Cache cache(PerformanceReport report, String name) {
		return report.cache().caches().stream().filter((cache) -> cache.name().equals(name)).findFirst().orElseThrow();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

	}

}
