package dev.perfkit.autoconfigure.ratelimit;

import java.lang.reflect.Method;

import dev.perfkit.ratelimit.RateLimit;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Checks every bean's {@code @RateLimit} annotations once the singletons exist, so that an
 * unknown tier or an impossible cost stops startup instead of failing the first request.
 */
final class RateLimitAnnotationValidator implements SmartInitializingSingleton {

	private final ConfigurableListableBeanFactory beanFactory;

	private final TierDefinitions tiers;

	RateLimitAnnotationValidator(ConfigurableListableBeanFactory beanFactory, TierDefinitions tiers) {
		this.beanFactory = beanFactory;
		this.tiers = tiers;
	}

	@Override
	public void afterSingletonsInstantiated() {
		// Statuses are only seen where the MVC interceptor or the WebFlux filter settles
		// held charges. By name: each class names its own stack's types, which the other
		// stack's application may not have.
		boolean statusKnown = this.beanFactory.containsBeanDefinition("perfkitRateLimitHandlerInterceptor")
				|| this.beanFactory.containsBeanDefinition("perfkitRateLimitWebFilter");
		for (String name : this.beanFactory.getBeanDefinitionNames()) {
			Class<?> type = this.beanFactory.getType(name, false);
			if (type == null || type.getName().startsWith("org.springframework.")) {
				continue;
			}
			Class<?> userClass = ClassUtils.getUserClass(type);
			for (RateLimit annotation : AnnotatedElementUtils.findMergedRepeatableAnnotations(userClass,
					RateLimit.class, RateLimit.List.class)) {
				this.tiers.validate(annotation, userClass.getSimpleName(), statusKnown);
			}
			for (Method method : ReflectionUtils.getUniqueDeclaredMethods(userClass, ReflectionUtils.USER_DECLARED_METHODS)) {
				for (RateLimit annotation : AnnotatedElementUtils.findMergedRepeatableAnnotations(method,
						RateLimit.class, RateLimit.List.class)) {
					this.tiers.validate(annotation, method, statusKnown);
				}
			}
		}
	}

}
