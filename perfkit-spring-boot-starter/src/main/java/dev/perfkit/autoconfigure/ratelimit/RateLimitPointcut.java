package dev.perfkit.autoconfigure.ratelimit;

import java.lang.reflect.Method;

import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.stereotype.Controller;

/**
 * Matches methods limited by {@code @RateLimit}, on the method or its class. On MVC
 * controllers it matches only methods with a key that needs the bound arguments (the
 * handler interceptor covers the rest), so most controllers are never proxied.
 */
final class RateLimitPointcut extends StaticMethodMatcherPointcut {

	private final ObjectProvider<TierDefinitions> tiers;

	RateLimitPointcut(ObjectProvider<TierDefinitions> tiers) {
		this.tiers = tiers;
	}

	@Override
	public boolean matches(Method method, Class<?> targetClass) {
		var annotations = Checkpoint.find(method, targetClass);
		if (annotations.isEmpty()) {
			return false;
		}
		if (!AnnotatedElementUtils.hasAnnotation(targetClass, Controller.class)) {
			return true;
		}
		return annotations.stream().anyMatch((annotation) -> {
			TierDefinitions.Definition definition = this.tiers.getObject().get(annotation.tier());
			String spec = !annotation.key().isEmpty() ? annotation.key() : (definition != null) ? definition.key() : "";
			return KeyResolver.needsArguments(spec);
		});
	}

}
