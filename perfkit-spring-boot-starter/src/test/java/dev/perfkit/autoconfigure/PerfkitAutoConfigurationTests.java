package dev.perfkit.autoconfigure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.perfkit.redis.RedisConnectorFactory;
import dev.perfkit.redis.RedisConnectorSettings;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wiring of every perfkit auto-configuration, read from the starter's own imports file so
 * that a new capability is covered the day it is registered.
 */
class PerfkitAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(allAutoConfigurations()));

	@Test
	void registersPerfkitBeansByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(perfkitBeans(context)).isNotEmpty();
			assertThat(context).hasSingleBean(RedisConnectorFactory.class);
		});
	}

	@Test
	void perfkitEnabledFalseLeavesNoPerfkitBean() {
		this.contextRunner.withPropertyValues("perfkit.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(perfkitBeans(context)).isEmpty();
		});
	}

	@Test
	void redisConnectorFactoryBacksOffWhenTheUserDefinesOne() {
		this.contextRunner.withUserConfiguration(UserRedisConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(RedisConnectorFactory.class);
			assertThat(context.getBean(RedisConnectorFactory.class))
				.isSameAs(context.getBean(UserRedisConfiguration.class).factory);
		});
	}

	@Test
	void perfkitRedisEnabledFalseLeavesEnginesWithoutRedis() {
		this.contextRunner.withPropertyValues("perfkit.redis.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RedisConnectorFactory.class));
	}

	@Test
	void aNonPositiveCommandTimeoutFailsStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("perfkit.redis.command-timeout=0ms").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidPerfkitPropertyException.class)
				.hasMessageContaining("perfkit.redis.command-timeout");
		});
	}

	static Class<?>[] allAutoConfigurations() {
		List<Class<?>> classes = new ArrayList<>();
		// Spring's own, so that perfkit's conditions on their beans are exercised.
		for (String name : List.of("org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
				"org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration",
				"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")) {
			classes.add(load(name));
		}
		ImportCandidates.load(AutoConfiguration.class, PerfkitAutoConfigurationTests.class.getClassLoader())
			.forEach((name) -> {
				if (name.startsWith("dev.perfkit.")) {
					classes.add(load(name));
				}
			});
		return classes.toArray(Class<?>[]::new);
	}

	static List<String> perfkitBeans(AssertableApplicationContext context) {
		return Arrays.stream(context.getBeanDefinitionNames()).filter((name) -> {
			Class<?> type = context.getType(name);
			return type != null && type.getName().startsWith("dev.perfkit.")
					&& !type.getName().startsWith(PerfkitAutoConfigurationTests.class.getName());
		}).toList();
	}

	private static Class<?> load(String name) {
		try {
			return Class.forName(name);
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class UserRedisConfiguration {

		final RedisConnectorFactory factory = new RedisConnectorFactory(() -> {
			throw new IllegalStateException("never connected in this test");
		}, RedisConnectorSettings.defaults("user"));

		@Bean
		RedisConnectorFactory userRedisConnectorFactory() {
			return this.factory;
		}

	}

}
