package dev.perfkit.autoconfigure.redis;

import java.time.Duration;

import dev.perfkit.autoconfigure.cache.PerfkitCacheAutoConfiguration;
import dev.perfkit.autoconfigure.ratelimit.RateLimitAutoConfiguration;
import dev.perfkit.cache.TwoTierCacheManager;
import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shutting down closes perfkit's Redis connections before Boot shuts their client down, so
 * the log stays quiet: no {@code Connection is already closed} warning per connection.
 */
@ExtendWith(OutputCaptureExtension.class)
class PerfkitRedisShutdownIntegrationTests {

	@Test
	void closingTheContextLogsNoWarningAboutAlreadyClosedConnections(CapturedOutput output) {
		RedisEndpoint redis = TestRedis.get();
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
					PerfkitRedisAutoConfiguration.class, PerfkitCacheAutoConfiguration.class,
					RateLimitAutoConfiguration.class))
			.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port())
			.run((context) -> {
				TwoTierCacheManager manager = context.getBean(TwoTierCacheManager.class);
				await().atMost(Duration.ofSeconds(20)).until(() -> manager.snapshot().subscribed());
				manager.getCache("shutdown").put("k", "v");
				assertThat(manager.getCache("shutdown").get("k")).isNotNull();
			});
		assertThat(output).doesNotContain("already closed").doesNotContain("Connection is closed");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

	}

}
