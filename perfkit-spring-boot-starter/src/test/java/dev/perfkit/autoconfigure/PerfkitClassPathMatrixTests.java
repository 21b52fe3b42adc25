package dev.perfkit.autoconfigure;

import java.util.UUID;

import dev.perfkit.autoconfigure.cache.PerfkitCacheAutoConfiguration;
import dev.perfkit.autoconfigure.cache.PerfkitCacheHealthAutoConfiguration;
import dev.perfkit.autoconfigure.cache.PerfkitCacheWebAutoConfiguration;
import dev.perfkit.autoconfigure.observability.PerfkitEndpoint;
import dev.perfkit.autoconfigure.observability.PerfkitObservabilityAutoConfiguration;
import dev.perfkit.autoconfigure.query.PerfkitQueryAutoConfiguration;
import dev.perfkit.autoconfigure.ratelimit.RateLimitAutoConfiguration;
import dev.perfkit.autoconfigure.redis.PerfkitRedisAutoConfiguration;
import dev.perfkit.cache.CacheMode;
import dev.perfkit.cache.TwoTierCache;
import dev.perfkit.cache.TwoTierCacheManager;
import dev.perfkit.cache.ValueCodec;
import dev.perfkit.pool.PoolInsight;
import dev.perfkit.query.QueryInsight;
import dev.perfkit.ratelimit.RateLimiter;
import dev.perfkit.redis.RedisConnectorFactory;
import dev.perfkit.report.PerformanceReportEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.AbstractApplicationContextRunner;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each capability switches on only where its classes and beans exist: the application
 * starts, and perfkit registers what its class path allows and nothing more, with each
 * piece taken away in turn (web, servlet stack for WebFlux, Redis, JDBC, the database
 * bean, actuator, Spring Security, Jackson, the optional bucket4j and datasource-proxy). Redis is
 * configured but never reached: nothing connects at startup.
 * <p>
 * Rate limiting's own rows (the servlet stack it needs) belong to its configuration's
 * tests; here it is present so that every row also shows the others start beside it.
 */
class PerfkitClassPathMatrixTests {

	private static final Class<?>[] PERFKIT = { PerfkitAutoConfiguration.class, PerfkitRedisAutoConfiguration.class,
			PerfkitCacheAutoConfiguration.class, PerfkitCacheHealthAutoConfiguration.class,
			PerfkitCacheWebAutoConfiguration.class, PerfkitQueryAutoConfiguration.class,
			PerfkitObservabilityAutoConfiguration.class, CacheAutoConfiguration.class };

	private static final AutoConfigurations CONFIGURATIONS = AutoConfigurations.of(PERFKIT);

	private static final AutoConfigurations BOOT = AutoConfigurations.of(DataRedisAutoConfiguration.class,
			DataSourceAutoConfiguration.class);

	private static final String[] PROPERTIES = { "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=1",
			"perfkit.cache.status-header.enabled=true", "management.endpoints.web.exposure.include=*",
			"management.endpoints.jmx.exposure.include=*" };

	private static <R extends AbstractApplicationContextRunner<R, ?, ?>> R configure(R runner) {
		return runner.withConfiguration(CONFIGURATIONS)
			.withConfiguration(BOOT)
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues(PROPERTIES)
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:matrix-" + UUID.randomUUID());
	}

	private final WebApplicationContextRunner servlet = configure(new WebApplicationContextRunner());

	@Test
	void everythingPresentInAServletApplication() {
		this.servlet.run((context) -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(TwoTierCacheManager.class)
				.hasSingleBean(RedisConnectorFactory.class)
				.hasSingleBean(QueryInsight.class)
				.hasSingleBean(PerformanceReportEngine.class)
				.hasSingleBean(PerfkitEndpoint.class)
				.hasBean("perfkitCacheStatusHeaderFilter")
				.hasBean("perfkitQueryScopeWebMvcConfigurer")
				.hasBean("perfkitCacheHealthIndicator")
				.hasBean("perfkitPoolHealthIndicator");
			assertThat(cacheMode(context)).isEqualTo(CacheMode.TWO_TIER);
		});
	}

	@Test
	void withoutAnyWebStackEverythingButTheWebPiecesIsPresent() {
		configure(new ApplicationContextRunner())
			.withClassLoader(new FilteredClassLoader("org.springframework.web", "jakarta.servlet"))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(TwoTierCacheManager.class)
					.hasSingleBean(RedisConnectorFactory.class)
					.hasSingleBean(QueryInsight.class)
					.hasSingleBean(PerformanceReportEngine.class)
					.doesNotHaveBean("perfkitCacheStatusHeaderFilter")
					.doesNotHaveBean(WebMvcConfigurer.class);
			});
	}

	@Test
	void aWebFluxApplicationGetsNoServletPiecesAndReactiveRateLimiting() {
		configure(new ReactiveWebApplicationContextRunner())
			.withConfiguration(AutoConfigurations.of(RateLimitAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.web.servlet", "jakarta.servlet"))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(TwoTierCacheManager.class)
					.hasSingleBean(QueryInsight.class)
					.hasSingleBean(PerformanceReportEngine.class)
					.hasSingleBean(RateLimiter.class)
					.hasBean("perfkitRateLimitWebFilter")
					.doesNotHaveBean("perfkitRateLimitHandlerInterceptor")
					.doesNotHaveBean("perfkitPlanResolver")
					.doesNotHaveBean("perfkitCacheStatusHeaderFilter")
					.doesNotHaveBean("perfkitCacheStatusHeaderAdvice")
					.doesNotHaveBean(WebMvcConfigurer.class);
			});
	}

	@Test
	void withoutRedisOnTheClassPathEveryCacheRunsLocally() {
		this.servlet.withClassLoader(new FilteredClassLoader("io.lettuce", "org.springframework.data.redis"))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(RedisConnectorFactory.class)
					.hasSingleBean(TwoTierCacheManager.class)
					.hasSingleBean(PerformanceReportEngine.class);
				assertThat(cacheMode(context)).isEqualTo(CacheMode.LOCAL);
			});
	}

	@Test
	void withRedisClassesButNoConnectionFactoryEveryCacheRunsLocally() {
		new WebApplicationContextRunner()
			.withConfiguration(CONFIGURATIONS)
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues(PROPERTIES)
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:matrix-" + UUID.randomUUID())
			.run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(RedisConnectorFactory.class);
			assertThat(cacheMode(context)).isEqualTo(CacheMode.LOCAL);
		});
	}

	@Test
	void withoutJdbcOnTheClassPathThereIsNoDatabaseInsight() {
		new WebApplicationContextRunner().withConfiguration(CONFIGURATIONS)
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues(PROPERTIES)
			.withClassLoader(new FilteredClassLoader("org.springframework.jdbc", "org.springframework.boot.jdbc",
					"net.ttddyy", "com.zaxxer", "org.h2"))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(QueryInsight.class)
					.doesNotHaveBean(PoolInsight.class)
					.hasSingleBean(TwoTierCacheManager.class)
					.hasSingleBean(PerformanceReportEngine.class);
				// The meter-based fallback stands in for the pool indicator.
				assertThat(context).hasBean("perfkitPoolHealthIndicator");
			});
	}

	@Test
	void withJdbcClassesButNoDataSourceBeanThereIsNoDatabaseInsightAndNoMaintenanceThread() {
		new WebApplicationContextRunner()
			.withConfiguration(CONFIGURATIONS)
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues(PROPERTIES)
			.run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean(QueryInsight.class)
				.doesNotHaveBean(PoolInsight.class)
				.doesNotHaveBean("perfkitInsightMaintenance")
				.hasSingleBean(TwoTierCacheManager.class);
		});
	}

	@Test
	void withoutDatasourceProxyThereIsNoDatabaseInsight() {
		this.servlet.withClassLoader(new FilteredClassLoader("net.ttddyy")).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(QueryInsight.class).hasSingleBean(TwoTierCacheManager.class);
		});
	}

	@Test
	void withoutActuatorThereIsNoEndpointAndNoHealthIndicatorButTheEnginesWork() {
		this.servlet
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
					"org.springframework.boot.health"))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(PerfkitEndpoint.class)
					.doesNotHaveBean("perfkitCacheHealthIndicator")
					.doesNotHaveBean("perfkitPoolHealthIndicator")
					.doesNotHaveBean("perfkitRateLimitHealthIndicator")
					.hasSingleBean(TwoTierCacheManager.class)
					.hasSingleBean(QueryInsight.class)
					.hasSingleBean(PerformanceReportEngine.class);
			});
	}

	@Test
	void withoutAMeterRegistryThereIsNoReportButTheEnginesWork() {
		new WebApplicationContextRunner().withConfiguration(CONFIGURATIONS)
			.withConfiguration(BOOT)
			.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues(PROPERTIES)
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:matrix-" + UUID.randomUUID())
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(PerformanceReportEngine.class)
				.doesNotHaveBean(PerfkitEndpoint.class)
				.hasSingleBean(TwoTierCacheManager.class)
				.hasSingleBean(QueryInsight.class));
	}

	@Test
	void withoutSpringSecurityEverythingStarts() {
		this.servlet.withClassLoader(new FilteredClassLoader("org.springframework.security")).run((context) -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(TwoTierCacheManager.class)
				.hasSingleBean(QueryInsight.class)
				.hasSingleBean(PerfkitEndpoint.class);
		});
	}

	@Test
	void withoutBucket4jThereIsNoRateLimitingAndTheRestStarts() {
		this.servlet.withConfiguration(AutoConfigurations.of(RateLimitAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("io.github.bucket4j"))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(RateLimiter.class)
					.hasSingleBean(TwoTierCacheManager.class)
					.hasSingleBean(QueryInsight.class);
			});
	}

	@Test
	void withoutJacksonTheCacheUsesTheApplicationsCodec() {
		this.servlet.withClassLoader(new FilteredClassLoader("tools.jackson", "com.fasterxml.jackson"))
			.withBean("json", ValueCodec.class, PassThroughCodec::new)
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(TwoTierCacheManager.class);
				assertThat(cacheMode(context)).isEqualTo(CacheMode.TWO_TIER);
			});
	}

	@Test
	void withoutJacksonOrACodecStartupFailsNamingTheCodecProperty() {
		this.servlet.withClassLoader(new FilteredClassLoader("tools.jackson", "com.fasterxml.jackson"))
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidPerfkitPropertyException.class)
				.hasMessageContaining("perfkit.cache.")
				.hasMessageContaining("codec"));
	}

	/** Strings only: enough to start without Jackson. */
	static class PassThroughCodec implements ValueCodec {

		@Override
		public byte id() {
			return 42;
		}

		@Override
		public byte[] encode(Object value) {
			return value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
		}

		@Override
		public Object decode(byte[] bytes) {
			return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
		}

	}

	private static CacheMode cacheMode(ApplicationContext context) {
		return ((TwoTierCache) context.getBean(TwoTierCacheManager.class).getCache("matrix")).settings().mode();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

	}

}
