package dev.perfkit.autoconfigure.cache;

import java.util.List;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizers;
import org.springframework.cache.CacheManager;
import org.springframework.util.ClassUtils;

/**
 * Applies the application's {@link CacheManagerCustomizer} beans to perfkit's manager, as
 * Boot's {@code CacheAutoConfiguration} does for the managers it creates (it backs off
 * when perfkit's manager exists, so it cannot do it itself). A customizer typed for
 * another manager is skipped, as in Boot. This class alone names {@code spring-boot-cache}
 * types, so perfkit's cache also works where that module is absent.
 */
final class BootCacheManagerCustomizers {

	private static final String CUSTOMIZERS = "org.springframework.boot.cache.autoconfigure.CacheManagerCustomizers";

	private BootCacheManagerCustomizers() {
	}

	static <T extends CacheManager> T customize(T manager, ListableBeanFactory beanFactory) {
		if (!ClassUtils.isPresent(CUSTOMIZERS, BootCacheManagerCustomizers.class.getClassLoader())) {
			return manager;
		}
		return Customizing.customize(manager, beanFactory);
	}

	/** Loaded only when spring-boot-cache is present. */
	private static final class Customizing {

		@SuppressWarnings({ "rawtypes", "unchecked" })
		static <T extends CacheManager> T customize(T manager, ListableBeanFactory beanFactory) {
			List<CacheManagerCustomizer<?>> customizers = (List) beanFactory.getBeanProvider(CacheManagerCustomizer.class)
				.orderedStream()
				.toList();
			return new CacheManagerCustomizers(customizers).customize(manager);
		}

	}

}
