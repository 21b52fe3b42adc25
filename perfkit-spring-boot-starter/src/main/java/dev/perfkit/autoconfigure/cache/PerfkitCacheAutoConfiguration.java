package dev.perfkit.autoconfigure.cache;

import java.util.LinkedHashMap;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.perfkit.autoconfigure.ConditionalOnPerfkitEnabled;
import dev.perfkit.autoconfigure.redis.PerfkitRedisAutoConfiguration;
import dev.perfkit.cache.JsonValueCodec;
import dev.perfkit.cache.TwoTierCache;
import dev.perfkit.cache.TwoTierCacheManager;
import dev.perfkit.cache.ValueCodec;
import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorFactory;
import dev.perfkit.report.ReportContributor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cache.CacheManager;
import org.springframework.cache.interceptor.CacheAspectSupport;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * Makes perfkit's {@link TwoTierCacheManager} the application's {@link CacheManager} when
 * caching is enabled ({@code @EnableCaching}) and the application defines no
 * {@code CacheManager} of its own. It runs <em>before</em> Boot's
 * {@code CacheAutoConfiguration}, which then backs off (it would otherwise pick Redis or
 * Caffeine alone); it uses Redis through {@link RedisConnectorFactory} when that is
 * present and runs every cache locally otherwise.
 * <p>
 * Like Boot's own cache managers it honours {@code spring.cache.type}: unset or
 * {@code perfkit} selects perfkit, any other type ({@code none}, {@code simple}, ...)
 * makes perfkit back off in favour of Boot's choice. The application's
 * {@code CacheManagerCustomizer} beans are applied to the manager, and Boot's
 * {@code cache.*} meters cover perfkit's caches through a
 * {@link TwoTierCacheMeterBinderProvider}.
 */
@AutoConfiguration(after = PerfkitRedisAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		beforeName = "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration")
@ConditionalOnPerfkitEnabled
@ConditionalOnClass({ CacheManager.class, Caffeine.class })
@ConditionalOnBean(CacheAspectSupport.class)
@ConditionalOnMissingBean(CacheManager.class)
@Conditional(OnPerfkitCacheTypeCondition.class)
@ConditionalOnBooleanProperty(name = "perfkit.cache.enabled", matchIfMissing = true)
@EnableConfigurationProperties(PerfkitCacheProperties.class)
public final class PerfkitCacheAutoConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(PerfkitCacheAutoConfiguration.class);

	private static final String JACKSON = "tools.jackson.databind.json.JsonMapper";

	@Bean(destroyMethod = "close")
	TwoTierCacheManager cacheManager(PerfkitCacheProperties properties, ObjectProvider<RedisConnectorFactory> redis,
			ObjectProvider<MeterRegistry> meterRegistry, ObjectProvider<CacheSettingsCustomizer> customizers,
			ListableBeanFactory beanFactory, ResourceLoader resourceLoader) {
		Map<String, ValueCodec> codecs = new LinkedHashMap<>();
		// The JSON codec needs Jackson; without it the application names a ValueCodec bean
		// of its own, else startup fails naming perfkit.cache.codec.
		if (ClassUtils.isPresent(JACKSON, resourceLoader.getClassLoader())) {
			codecs.put("json", new JsonValueCodec(properties.getAllowedPackages()));
		}
		codecs.putAll(beanFactory.getBeansOfType(ValueCodec.class));
		CacheSettingsResolver settings = new CacheSettingsResolver(properties, codecs,
				customizers.orderedStream().toList());
		settings.validate();
		RedisConnectorFactory factory = redis.getIfAvailable();
		RedisConnector connector = (factory != null) ? factory.create("cache") : null;
		TwoTierCacheManager manager = new TwoTierCacheManager(settings, connector,
				meterRegistry.getIfAvailable(SimpleMeterRegistry::new), properties.getChannel(),
				properties.getCacheNames(), properties.isDynamic());
		BootCacheManagerCustomizers.customize(manager, beanFactory);
		manager.start();
		return manager;
	}

	@Bean
	static ApplicationListener<ApplicationReadyEvent> perfkitCacheWarming(ObjectProvider<CacheWarmer> warmers,
			ObjectProvider<TwoTierCacheManager> manager) {
		return (event) -> warmers.orderedStream().forEach((warmer) -> warm(manager.getObject(), warmer));
	}

	static void warm(TwoTierCacheManager manager, CacheWarmer warmer) {
		try {
			Map<?, ?> entries = warmer.entries();
			((TwoTierCache) manager.getCache(warmer.cacheName())).putAll(entries);
			logger.info("perfkit warmed cache '{}' with {} entries", warmer.cacheName(), entries.size());
		}
		catch (RuntimeException ex) {
			logger.warn("perfkit could not warm cache '{}': {}", warmer.cacheName(), ex.toString());
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.springframework.boot.cache.metrics.CacheMeterBinderProvider",
			"io.micrometer.core.instrument.binder.cache.CacheMeterBinder" })
	static class BootCacheMetersConfiguration {

		@Bean
		@ConditionalOnMissingBean
		TwoTierCacheMeterBinderProvider perfkitCacheMeterBinderProvider(ObjectProvider<TwoTierCacheManager> manager) {
			return new TwoTierCacheMeterBinderProvider(manager);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ReportContributor.class)
	static class ReportConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "perfkitCacheReportContributor")
		ReportContributor perfkitCacheReportContributor(TwoTierCacheManager cacheManager) {
			return new CacheReportContributor(cacheManager);
		}

	}

}
