package dev.perfkit.autoconfigure.aot;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.LinkedHashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Registers, at build time, reflection hints for the values the application caches: the
 * return types of every {@code @Cacheable} and {@code @CachePut} method of its beans
 * (with their generic arguments, so {@code Optional<Price>} or
 * {@code CompletableFuture<List<Price>>} register {@code Price}). perfkit's JSON codec
 * writes and reads these types by reflection, which a native image allows only for
 * registered types. A value reached only through {@code Object} or a {@code @Caching}
 * group still needs a hint from the application.
 */
class CachedValueTypesAotProcessor implements BeanFactoryInitializationAotProcessor {

	private static final String CACHEABLE = "org.springframework.cache.annotation.Cacheable";

	@Override
	public @Nullable BeanFactoryInitializationAotContribution processAheadOfTime(
			ConfigurableListableBeanFactory beanFactory) {
		if (!ClassUtils.isPresent(CACHEABLE, beanFactory.getBeanClassLoader())) {
			return null;
		}
		Set<Type> types = new LinkedHashSet<>();
		for (String name : beanFactory.getBeanDefinitionNames()) {
			Class<?> beanType = beanFactory.getType(name, false);
			if (beanType == null || beanType.getName().startsWith("org.springframework.")) {
				continue;
			}
			ReflectionUtils.doWithMethods(ClassUtils.getUserClass(beanType), (method) -> types.add(valueType(method)),
					CachedValueTypesAotProcessor::isCaching);
		}
		types.remove(void.class);
		if (types.isEmpty()) {
			return null;
		}
		return (generationContext, code) -> new BindingReflectionHintsRegistrar()
			.registerReflectionHints(generationContext.getRuntimeHints().reflection(), types.toArray(new Type[0]));
	}

	private static boolean isCaching(Method method) {
		return AnnotatedElementUtils.hasAnnotation(method, Cacheable.class)
				|| AnnotatedElementUtils.hasAnnotation(method, CachePut.class);
	}

	private static Type valueType(Method method) {
		return method.getGenericReturnType();
	}

}
