package dev.perfkit.autoconfigure.redis;

import java.util.List;

import dev.perfkit.autoconfigure.ConditionalOnPerfkitEnabled;
import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import dev.perfkit.cache.TwoTierCacheManager;
import dev.perfkit.redis.RedisConnectorFactory;
import dev.perfkit.redis.RedisConnectorSettings;
import io.lettuce.core.RedisClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Gives perfkit's engines Redis connections over the application's own
 * {@link LettuceConnectionFactory} and its native client, configured by Boot's
 * {@code spring.data.redis.*} (standalone, Sentinel or Cluster). Nothing connects at
 * startup, so the application starts while Redis is down. On shutdown perfkit closes its
 * connections just before the factory stops ({@link RedisConnectionsShutdown}).
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnPerfkitEnabled
@ConditionalOnClass({ RedisClient.class, LettuceConnectionFactory.class })
@ConditionalOnBean(LettuceConnectionFactory.class)
@ConditionalOnBooleanProperty(name = "perfkit.redis.enabled", matchIfMissing = true)
@EnableConfigurationProperties(PerfkitRedisProperties.class)
public final class PerfkitRedisAutoConfiguration {

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	RedisConnectorFactory perfkitRedisConnectorFactory(LettuceConnectionFactory connectionFactory,
			PerfkitRedisProperties properties) {
		return new RedisConnectorFactory(connectionFactory::getRequiredNativeClient, settings(properties));
	}

	@Bean
	static RedisConnectionsShutdown perfkitRedisConnectionsShutdown(LettuceConnectionFactory connectionFactory,
			ObjectProvider<RedisConnectorFactory> connectors, ObjectProvider<TwoTierCacheManager> caches) {
		// The cache manager is looked up at stop time: it is defined after this bean.
		AutoCloseable cache = () -> caches.ifAvailable(TwoTierCacheManager::close);
		return new RedisConnectionsShutdown(connectionFactory, connectors, List.of(cache));
	}

	static RedisConnectorSettings settings(PerfkitRedisProperties properties) {
		if (properties.getCommandTimeout().isNegative() || properties.getCommandTimeout().isZero()) {
			throw new InvalidPerfkitPropertyException("perfkit.redis.command-timeout", properties.getCommandTimeout(),
					"A command timeout must be positive.", "set a positive duration such as 250ms.");
		}
		int threshold = properties.getCircuitBreaker().getFailureThreshold();
		if (threshold < 1) {
			throw new InvalidPerfkitPropertyException("perfkit.redis.circuit-breaker.failure-threshold", threshold,
					"The breaker needs at least one failure to open.", "set a whole number of 1 or more, such as 5.");
		}
		return new RedisConnectorSettings("shared", properties.getCommandTimeout(), threshold,
				properties.getCircuitBreaker().getOpenDuration(), properties.getReconnectBackoff());
	}

}
