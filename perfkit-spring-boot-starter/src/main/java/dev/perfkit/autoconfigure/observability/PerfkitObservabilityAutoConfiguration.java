package dev.perfkit.autoconfigure.observability;

import java.time.Duration;
import java.util.Map;

import dev.perfkit.autoconfigure.ConditionalOnPerfkitEnabled;
import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import dev.perfkit.redis.RedisConnectorFactory;
import dev.perfkit.report.PerformanceReportEngine;
import dev.perfkit.report.RateLimitSection;
import dev.perfkit.report.ReportContributor;
import dev.perfkit.report.ReportSettings;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * perfkit's one view of performance: a {@link PerformanceReportEngine} over the
 * application's {@link MeterRegistry} and every {@link ReportContributor} bean, the
 * {@code perfkit} actuator endpoint (with its text report and optional dashboard), and
 * the health indicators of the {@code perfkit} health group ({@code perfkitCache},
 * {@code perfkitRateLimit}, {@code perfkitPool}). It also reports the Redis connection
 * of every engine created through the shared {@link RedisConnectorFactory}. An engine
 * that brings a health indicator of its own (the cache's Redis indicator, the query
 * module's MXBean-based pool indicator) registers it under the same bean name; this
 * configuration runs after the engines' auto-configurations so that its meter-based
 * fallbacks back off and apply only where an engine has none.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration",
		// The engines' own health indicators must be defined first so that the fallbacks
		// below, conditional on their bean names, back off.
		"dev.perfkit.autoconfigure.cache.PerfkitCacheHealthAutoConfiguration",
		"dev.perfkit.autoconfigure.query.PerfkitQueryAutoConfiguration",
		"dev.perfkit.autoconfigure.ratelimit.RateLimitAutoConfiguration" })
@ConditionalOnPerfkitEnabled
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@EnableConfigurationProperties({ PerfkitReportProperties.class, PerfkitDashboardProperties.class })
public final class PerfkitObservabilityAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	PerformanceReportEngine perfkitReportEngine(MeterRegistry registry, PerfkitReportProperties properties,
			ObjectProvider<ReportContributor> contributors) {
		return new PerformanceReportEngine(registry, settings(properties), contributors.orderedStream().toList());
	}

	static ReportSettings settings(PerfkitReportProperties properties) {
		if (properties.getTopQueries() < 1) {
			throw new InvalidPerfkitPropertyException("perfkit.report.top-queries", properties.getTopQueries(),
					"The report must list at least one query.", "set a whole number of 1 or more, such as 10.");
		}
		fraction("perfkit.report.low-hit-rate", properties.getLowHitRate());
		fraction("perfkit.report.high-rejection-rate", properties.getHighRejectionRate());
		fraction("perfkit.report.pool-saturation", properties.getPoolSaturation());
		return new ReportSettings(properties.getTopQueries(), properties.getMinCacheGets(),
				properties.getLowHitRate(), properties.getMinRateLimitRequests(), properties.getHighRejectionRate(),
				properties.getMinQueries(), properties.getPoolSaturation());
	}

	private static void fraction(String property, double value) {
		if (!(value >= 0 && value <= 1)) {
			throw new InvalidPerfkitPropertyException(property, value, "It is a fraction and must be between 0 and 1.",
					"write it as a number from 0 to 1, such as 0.5 for 50%.");
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ RedisConnectorFactory.class, RedisClient.class })
	static class RedisConnectionsConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "perfkitRedisConnectionsReportContributor")
		ReportContributor perfkitRedisConnectionsReportContributor(ObjectProvider<RedisConnectorFactory> factory) {
			return new RedisConnectionsReportContributor(factory);
		}

	}

	// @ConditionalOnAvailableEndpoint sits on the method: a class-level condition's class
	// is loaded before @ConditionalOnClass is evaluated, and actuator may be absent.
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnAvailableEndpoint(PerfkitEndpoint.class)
		PerfkitEndpoint perfkitEndpoint(PerformanceReportEngine engine, PerfkitDashboardProperties dashboard) {
			if (dashboard.getRefresh().compareTo(Duration.ofSeconds(1)) < 0) {
				throw new InvalidPerfkitPropertyException("perfkit.dashboard.refresh", dashboard.getRefresh(),
						"The dashboard would fetch the report more than once a second.",
						"set a duration of 1s or more, such as 5s.");
			}
			return new PerfkitEndpoint(engine,
					dashboard.isEnabled() ? new PerfkitDashboard(dashboard.getRefresh()) : null);
		}

	}

	/**
	 * The meter-based fallbacks. Each carries the same
	 * {@code management.health.<name>.enabled} switch as the engine's own indicator, so
	 * switching an indicator off removes it rather than swapping in its fallback.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "perfkitCacheHealthIndicator")
		@ConditionalOnEnabledHealthIndicator("perfkitcache")
		HealthIndicator perfkitCacheHealthIndicator(PerformanceReportEngine engine) {
			return new RemoteBreakerHealthIndicator(engine, (report) -> report.cache().breaker(),
					(report) -> report.cache().details(), (report) -> Map.of("caches", report.cache().caches().size(), "remoteErrors",
							report.cache().caches().stream().mapToLong((cache) -> cache.remoteErrors()).sum()));
		}

		@Bean
		@ConditionalOnMissingBean(name = "perfkitRateLimitHealthIndicator")
		@ConditionalOnEnabledHealthIndicator("perfkitratelimit")
		HealthIndicator perfkitRateLimitHealthIndicator(PerformanceReportEngine engine) {
			return new RemoteBreakerHealthIndicator(engine, (report) -> report.rateLimit().breaker(),
					(report) -> report.rateLimit().details(), (report) -> Map.of("errors",
							report.rateLimit().limits().stream().mapToLong(RateLimitSection.Limit::errors).sum()));
		}

		@Bean
		@ConditionalOnMissingBean(name = "perfkitPoolHealthIndicator")
		@ConditionalOnEnabledHealthIndicator("perfkitpool")
		HealthIndicator perfkitPoolHealthIndicator(PerformanceReportEngine engine, PerfkitReportProperties properties) {
			return new PoolSaturationHealthIndicator(engine, properties.getPoolSaturation());
		}

	}

}
