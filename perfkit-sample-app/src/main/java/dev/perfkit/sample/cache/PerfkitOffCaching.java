package dev.perfkit.sample.cache;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.cache.Cache;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.context.annotation.Configuration;

/**
 * With {@code perfkit.enabled=false} the sample runs on Boot's own cache, which is Redis
 * here, and Boot's cache fails the request when Redis is away. The sample keeps answering
 * instead, as perfkit would: a failed read is a miss and a failed write is skipped. (With
 * perfkit on, its own cache does this and more, so this class stays out of the way.)
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "perfkit.enabled", havingValue = false)
class PerfkitOffCaching implements CachingConfigurer {

	private static final Log logger = LogFactory.getLog(PerfkitOffCaching.class);

	@Override
	public CacheErrorHandler errorHandler() {
		return new CacheErrorHandler() {

			@Override
			public void handleCacheGetError(RuntimeException exception, Cache cache, Object key) {
				logger.warn("Cache " + cache.getName() + " read failed, calling the method: " + exception);
			}

			@Override
			public void handleCachePutError(RuntimeException exception, Cache cache, Object key, Object value) {
				logger.warn("Cache " + cache.getName() + " write failed: " + exception);
			}

			@Override
			public void handleCacheEvictError(RuntimeException exception, Cache cache, Object key) {
				logger.warn("Cache " + cache.getName() + " evict failed: " + exception);
			}

			@Override
			public void handleCacheClearError(RuntimeException exception, Cache cache) {
				logger.warn("Cache " + cache.getName() + " clear failed: " + exception);
			}

		};
	}

}
