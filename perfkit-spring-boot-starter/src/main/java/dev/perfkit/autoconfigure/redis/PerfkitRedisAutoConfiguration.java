package dev.perfkit.autoconfigure.redis;

import java.util.List;
import java.util.function.Supplier;

import dev.perfkit.autoconfigure.ConditionalOnPerfkitEnabled;
import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import dev.perfkit.cache.TwoTierCacheManager;
import dev.perfkit.redis.RedisConnectorFactory;
import dev.perfkit.redis.RedisConnectorSettings;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

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
			PerfkitRedisProperties properties, PerfkitRedisClient perfkitRedisClient) {
		Supplier<AbstractRedisClient> client = (properties.getObservation() == PerfkitRedisProperties.Observation.SKIP)
				? perfkitRedisClient : connectionFactory::getRequiredNativeClient;
		return new RedisConnectorFactory(client, settings(properties));
	}

	/**
	 * perfkit's own client for {@code perfkit.redis.observation=skip}, made on first use
	 * only. A bean of its own so that it is closed after the connector factory that
	 * depends on it, and before the application's connection factory it depends on.
	 */
	@Bean(destroyMethod = "close")
	PerfkitRedisClient perfkitRedisClient(LettuceConnectionFactory connectionFactory, ListableBeanFactory beans) {
		return new PerfkitRedisClient(connectionFactory, () -> MasterReplica.configured(beans));
	}

	@Bean
	static RedisConnectionsShutdown perfkitRedisConnectionsShutdown(LettuceConnectionFactory connectionFactory,
			ObjectProvider<RedisConnectorFactory> connectors, ObjectProvider<TwoTierCacheManager> caches) {
		// The cache manager is looked up at stop time: it is defined after this bean.
		AutoCloseable cache = () -> caches.ifAvailable(TwoTierCacheManager::close);
		return new RedisConnectionsShutdown(connectionFactory, connectors, List.of(cache));
	}

	/**
	 * Whether Boot's connection details name a static master/replica setup; read only when
	 * Boot's Redis module is on the class path (a factory of the application's own may
	 * come without it).
	 */
	private static final class MasterReplica {

		private static final String DETAILS = "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails";

		static boolean configured(ListableBeanFactory beans) {
			if (!ClassUtils.isPresent(DETAILS, MasterReplica.class.getClassLoader())) {
				return false;
			}
			DataRedisConnectionDetails details = beans.getBeanProvider(DataRedisConnectionDetails.class)
				.getIfAvailable();
			return details != null && details.getMasterReplica() != null;
		}

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
