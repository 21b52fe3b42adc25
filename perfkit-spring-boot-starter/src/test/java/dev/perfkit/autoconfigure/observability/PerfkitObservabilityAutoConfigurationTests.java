package dev.perfkit.autoconfigure.observability;

import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import dev.perfkit.report.PerformanceReportEngine;
import dev.perfkit.report.ReportContributor;
import dev.perfkit.report.ReportSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class PerfkitObservabilityAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(PerfkitObservabilityAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new);

	@Test
	void buildsTheEngineOverTheRegistryWithEveryContributorBean() {
		this.contextRunner.withBean(ReportContributor.class, () -> (draft) -> draft.cacheDetail("pricing", "ttl", "5s"))
			.run((context) -> {
				assertThat(context).hasSingleBean(PerformanceReportEngine.class);
				assertThat(context.getBean(PerformanceReportEngine.class).report().cache().caches())
					.singleElement()
					.satisfies((cache) -> assertThat(cache.details()).containsEntry("ttl", "5s"));
				assertThat(context).hasBean("perfkitCacheHealthIndicator")
					.hasBean("perfkitRateLimitHealthIndicator")
					.hasBean("perfkitPoolHealthIndicator");
			});
	}

	@Test
	void withoutAMeterRegistryThereIsNoReport() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(PerfkitObservabilityAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(PerformanceReportEngine.class));
	}

	@Test
	void theEngineBacksOffWhenTheUserDefinesOne() {
		PerformanceReportEngine engine = new PerformanceReportEngine(new SimpleMeterRegistry(),
				ReportSettings.defaults(), java.util.List.of());
		this.contextRunner.withBean(PerformanceReportEngine.class, () -> engine)
			.run((context) -> assertThat(context.getBean(PerformanceReportEngine.class)).isSameAs(engine));
	}

	@Test
	void anEnginesOwnHealthIndicatorReplacesTheMeterBasedOne() {
		this.contextRunner.withUserConfiguration(EngineHealthConfiguration.class).run((context) -> {
			assertThat(context.getBean("perfkitCacheHealthIndicator", HealthIndicator.class).health().getDetails())
				.containsEntry("from", "the cache engine");
			assertThat(context).hasBean("perfkitPoolHealthIndicator");
		});
	}

	@Test
	void withoutABreakerGaugeTheRemoteHealthIsUnknown() {
		this.contextRunner.run((context) -> assertThat(
				context.getBean("perfkitCacheHealthIndicator", HealthIndicator.class).health().getStatus().getCode())
			.isEqualTo("UNKNOWN"));
	}

	@Test
	void aFractionOutsideZeroToOneFailsStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("perfkit.report.low-hit-rate=50").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidPerfkitPropertyException.class)
				.hasMessageContaining("perfkit.report.low-hit-rate");
		});
	}

	@Test
	void aDashboardRefreshBelowOneSecondFailsStartupNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=perfkit", "perfkit.dashboard.refresh=100ms")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidPerfkitPropertyException.class)
				.hasMessageContaining("perfkit.dashboard.refresh"));
	}

	@Test
	void theEndpointIsAbsentUnlessExposed() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(PerfkitEndpoint.class));
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=perfkit")
			.run((context) -> assertThat(context).hasSingleBean(PerfkitEndpoint.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class EngineHealthConfiguration {

		@Bean
		HealthIndicator perfkitCacheHealthIndicator() {
			return () -> Health.up().withDetail("from", "the cache engine").build();
		}

	}

}
