package dev.perfkit.autoconfigure.cache;

import dev.perfkit.autoconfigure.ConditionalOnPerfkitEnabled;
import dev.perfkit.cache.TwoTierCacheManager;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * The opt-in {@code X-Cache-Status} header ({@code perfkit.cache.status-header.enabled}).
 */
@AutoConfiguration(after = PerfkitCacheAutoConfiguration.class)
@ConditionalOnPerfkitEnabled
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(ResponseBodyAdvice.class)
@ConditionalOnBean(TwoTierCacheManager.class)
@ConditionalOnBooleanProperty("perfkit.cache.status-header.enabled")
public final class PerfkitCacheWebAutoConfiguration {

	@Bean
	FilterRegistrationBean<CacheStatusHeaderFilter> perfkitCacheStatusHeaderFilter() {
		FilterRegistrationBean<CacheStatusHeaderFilter> registration = new FilterRegistrationBean<>(
				new CacheStatusHeaderFilter());
		registration.setName("perfkitCacheStatusHeaderFilter");
		return registration;
	}

	@Bean
	CacheStatusHeaderAdvice perfkitCacheStatusHeaderAdvice() {
		return new CacheStatusHeaderAdvice();
	}

}
