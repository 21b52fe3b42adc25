package dev.perfkit.autoconfigure.observability;

import java.time.Duration;

import dev.perfkit.autoconfigure.redis.PerfkitRedisAutoConfiguration;
import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorFactory;
import dev.perfkit.report.PerformanceReport;
import dev.perfkit.report.PerformanceReportEngine;
import dev.perfkit.report.PerformanceStatus;
import dev.perfkit.test.RedisProcess;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stopping Redis turns the report degraded with the reason and the {@code perfkitCache}
 * health to {@code DEGRADED}; starting it again restores both. The cache engine is
 * stood in for by what it does with Redis: a connector from the shared factory, and the
 * contract's breaker gauge over that connector's breaker.
 */
class RedisDegradationIntegrationTests {

	private static final Duration BOUND = Duration.ofSeconds(30);

	@Test
	void stoppingRedisDegradesTheReportWithTheReasonAndStartingItRestoresIt() {
		try (RedisProcess redis = RedisProcess.start()) {
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
						PerfkitRedisAutoConfiguration.class, PerfkitObservabilityAutoConfiguration.class))
				.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
				.withUserConfiguration(CacheEngineStandIn.class)
				.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port(),
						"spring.data.redis.timeout=500ms", "perfkit.redis.command-timeout=250ms",
						"perfkit.redis.reconnect-backoff=100ms", "perfkit.redis.circuit-breaker.open-duration=200ms")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					PerformanceReportEngine engine = context.getBean(PerformanceReportEngine.class);
					HealthIndicator health = context.getBean("perfkitCacheHealthIndicator", HealthIndicator.class);
					RedisConnector connector = context.getBean(RedisConnector.class);
					connector.connect();
					await().atMost(BOUND).until(() -> !engine.report().degraded().active());
					assertThat(health.health().getStatus().getCode()).isEqualTo("UP");

					redis.kill();
					await().atMost(BOUND).untilAsserted(() -> {
						ping(connector);
						PerformanceReport report = engine.report();
						assertThat(report.status()).isIn(PerformanceStatus.DEGRADED, PerformanceStatus.CRITICAL);
						assertThat(report.degraded().reasons())
							.anySatisfy((reason) -> assertThat(reason).contains("cache Redis"));
					});
					assertThat(health.health().getStatus().getCode()).isEqualTo("DEGRADED");
					assertThat(engine.report().cache().details()).containsKey("redis");

					redis.restart();
					await().atMost(BOUND).untilAsserted(() -> {
						ping(connector);
						PerformanceReport report = engine.report();
						assertThat(report.degraded().active()).as(report.degraded().reasons().toString()).isFalse();
						assertThat(report.status()).isEqualTo(PerformanceStatus.EXCELLENT);
					});
					assertThat(health.health().getStatus().getCode()).isEqualTo("UP");
				});
		}
	}

	/**
	 * Traffic, as the cache engine would send it: failures reach the breaker only through commands.
	 */
	private static void ping(RedisConnector connector) {
		try {
			connector.executeSync((redis) -> redis.ping());
		}
		catch (RuntimeException ex) {
			// Redis is down: exactly what the test waits for.
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class CacheEngineStandIn {

		@Bean
		RedisConnector cacheConnector(RedisConnectorFactory factory, MeterRegistry registry) {
			RedisConnector connector = factory.create("cache");
			Gauge.builder("perfkit.cache.breaker.state", connector, (c) -> switch (c.breaker().state()) {
				case CLOSED -> 0;
				case HALF_OPEN -> 1;
				case OPEN -> 2;
			}).register(registry);
			return connector;
		}

	}

}
