package dev.perfkit.autoconfigure.ratelimit;

import dev.perfkit.autoconfigure.ConditionalOnPerfkitEnabled;
import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import dev.perfkit.ratelimit.LeasingRateLimiter;
import dev.perfkit.ratelimit.LocalRateLimiter;
import dev.perfkit.ratelimit.RateLimitBackend;
import dev.perfkit.ratelimit.RateLimiter;
import dev.perfkit.ratelimit.RedisRateLimiter;
import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorFactory;
import dev.perfkit.report.ReportContributor;
import io.github.bucket4j.Bucket;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import reactor.core.publisher.Mono;

import org.springframework.aop.Advisor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Role;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Tiered rate limiting: {@code @RateLimit} on MVC handlers (a handler interceptor), on
 * WebFlux handlers (a web filter, non-blocking) and on any other bean (an advisor, which
 * limits methods returning {@code Mono} or {@code Flux} reactively), counted on Redis through perfkit's connector when there is
 * one, else locally. The Redis connection is named {@code ratelimit}, so the performance
 * report maps it to its rate-limit section, and a {@link ReportContributor} adds every
 * tier's and plan's effective limits to that section.
 */
@AutoConfiguration(afterName = { "dev.perfkit.autoconfigure.redis.PerfkitRedisAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnPerfkitEnabled
@ConditionalOnClass(value = Bucket.class, name = "org.springframework.web.context.request.RequestContextHolder")
@ConditionalOnBooleanProperty(name = "perfkit.rate-limit.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RateLimitProperties.class)
@Import(RateLimitAutoConfiguration.ServletApiConfiguration.class)
public final class RateLimitAutoConfiguration {

	@Bean
	static TierDefinitions perfkitRateLimitTiers(RateLimitProperties properties) {
		return TierDefinitions.of(properties);
	}

	@Bean
	@ConditionalOnMissingBean
	RateLimiter perfkitRateLimiter(RateLimitProperties properties, TierDefinitions tiers,
			ObjectProvider<RedisConnectorFactory> redis, ObjectProvider<MeterRegistry> registry,
			ApplicationEventPublisher events) {
		RedisConnectorFactory factory = (properties.getBackend() != RateLimitProperties.Backend.LOCAL)
				? redis.getIfAvailable() : null;
		if (factory == null && properties.getBackend() == RateLimitProperties.Backend.REDIS) {
			throw new InvalidPerfkitPropertyException("perfkit.rate-limit.backend", "redis",
					"The Redis backend needs perfkit's Redis connection, and there is none.",
					"configure spring.data.redis.* with Lettuce and keep perfkit.redis.enabled=true, or set perfkit.rate-limit.backend=local.");
		}
		MeterRegistry meters = registry.getIfAvailable();
		RedisRateLimiter remote = null;
		if (factory != null) {
			RedisConnector connector = factory.create("ratelimit");
			connector.connect();
			remote = new RedisRateLimiter(connector);
			if (meters != null) {
				Gauge.builder("perfkit.ratelimit.breaker.state", connector, RateLimitAutoConfiguration::state)
					.description("The rate limiter's Redis breaker: 0 closed, 1 half-open, 2 open "
							+ "(also while the connection is lost)")
					.register(meters);
			}
		}
		// Tiers that lease permits for hot keys go through the leasing backend around Redis.
		RateLimitBackend backend = (remote != null && !tiers.leases().isEmpty())
				? new LeasingRateLimiter(remote, tiers.leases(), RateLimiter.DEFAULT_SHORTCUT_KEYS) : remote;
		RateLimiter limiter = new RateLimiter(tiers.tiers(), backend,
				new LocalRateLimiter(properties.getLocalMaximumKeys()), meters, properties.getLocalShortcutKeys());
		limiter.addListener((decision, key) -> events.publishEvent(new RateLimitRejectedEvent(limiter, decision, key)));
		return limiter;
	}

	private static double state(RedisConnector connector) {
		return switch (connector.callState()) {
			case CLOSED -> 0;
			case HALF_OPEN -> 1;
			case OPEN -> 2;
		};
	}

	@Bean
	Checkpoint perfkitRateLimitCheckpoint(RateLimiter limiter, TierDefinitions tiers,
			ObjectProvider<PlanResolver> plans, RateLimitProperties properties) {
		// PlanResolver names the servlet request in its signature: only a servlet
		// application has one, and only then is ServletCaller loaded.
		PlanResolver resolver = plans.getIfAvailable();
		Checkpoint.Plans lookup = (resolver != null) ? ServletCaller.plans(resolver) : Checkpoint.Plans.BY_AUTHENTICATION;
		return new Checkpoint(limiter, tiers, new KeyResolver(properties), lookup, properties);
	}

	@Bean
	RateLimitHeaders perfkitRateLimitHeaders(RateLimitProperties properties) {
		return new RateLimitHeaders(properties.getHeaders());
	}

	@Bean
	RateLimitAnnotationValidator perfkitRateLimitAnnotationValidator(ConfigurableListableBeanFactory beanFactory,
			TierDefinitions tiers) {
		return new RateLimitAnnotationValidator(beanFactory, tiers);
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static Advisor perfkitRateLimitAdvisor(ObjectProvider<TierDefinitions> tiers,
			ObjectProvider<Checkpoint> checkpoint, ObjectProvider<RateLimitHeaders> headers) {
		RateLimitPointcut pointcut = new RateLimitPointcut(tiers);
		return new DefaultPointcutAdvisor(pointcut, new RateLimitMethodInterceptor(checkpoint, headers));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ReportContributor.class)
	static class ReportConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "perfkitRateLimitReportContributor")
		ReportContributor perfkitRateLimitReportContributor(RateLimiter limiter) {
			return new RateLimitReportContributor(limiter);
		}

	}

	/**
	 * The servlet API's beans, whose types name {@code HttpServletRequest}. Imported, not
	 * annotated, so that no component scan of this package picks it up ahead of the
	 * application's own beans.
	 */
	@ConditionalOnClass(name = "jakarta.servlet.http.HttpServletRequest")
	static class ServletApiConfiguration {

		@Bean
		@ConditionalOnMissingBean
		PlanResolver perfkitPlanResolver() {
			return PlanResolver.byAuthentication();
		}

		@Bean
		@ConditionalOnMissingBean
		RateLimitProblemFactory perfkitRateLimitProblemFactory() {
			return RateLimitProblemFactory.standard();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnClass(name = { "reactor.core.publisher.Mono",
			"org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping" })
	static class WebFluxRateLimitConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ReactiveRateLimitProblemFactory perfkitReactiveRateLimitProblemFactory() {
			return ReactiveRateLimitProblemFactory.standard();
		}

		/**
		 * The default plans on WebFlux: the servlet {@link PlanResolver} when the servlet
		 * API is present (called with the principal and no request), else anonymous or
		 * authenticated, as before reactive plan resolvers existed.
		 */
		@Bean
		@ConditionalOnMissingBean
		ReactivePlanResolver perfkitReactivePlanResolver(Checkpoint checkpoint) {
			return (principal, exchange) -> Mono
				.justOrEmpty(checkpoint.plan(new ExchangeCaller(exchange, principal, null)));
		}

		@Bean
		RateLimitWebFilter perfkitRateLimitWebFilter(
				@Qualifier("requestMappingHandlerMapping") ObjectProvider<RequestMappingHandlerMapping> mapping,
				Checkpoint checkpoint, RateLimitHeaders headers, ReactiveRateLimitProblemFactory problems,
				ReactivePlanResolver plans) {
			return new RateLimitWebFilter(mapping, checkpoint, headers, problems, plans);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass(HandlerInterceptor.class)
	static class WebMvcRateLimitConfiguration {

		@Bean
		RateLimitExceptionResolver perfkitRateLimitExceptionResolver(RateLimitHeaders headers,
				RateLimitProblemFactory problems) {
			return new RateLimitExceptionResolver(headers, problems);
		}

		@Bean
		RateLimitHandlerInterceptor perfkitRateLimitHandlerInterceptor(Checkpoint checkpoint,
				RateLimitHeaders headers) {
			return new RateLimitHandlerInterceptor(checkpoint, headers);
		}

		@Bean
		WebMvcConfigurer perfkitRateLimitWebMvcConfigurer(RateLimitHandlerInterceptor interceptor) {
			return new WebMvcConfigurer() {
				@Override
				public void addInterceptors(InterceptorRegistry registry) {
					registry.addInterceptor(interceptor);
				}
			};
		}

	}

}
