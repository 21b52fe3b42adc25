package dev.perfkit.autoconfigure.cache;

import dev.perfkit.cache.CacheStatisticsSnapshot;
import dev.perfkit.cache.TwoTierCache;
import dev.perfkit.cache.TwoTierCacheManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;

/**
 * Gives perfkit's caches Boot's standard {@code cache.*} meters ({@code cache.gets} by
 * result, {@code cache.puts}, {@code cache.evictions}, {@code cache.size}), as Boot does
 * for Caffeine and Redis caches. The meters are functions over the counts perfkit keeps
 * anyway: nothing is counted twice on the hot path, and perfkit's own
 * {@code perfkit.cache.*} meters (per tier) stay as they are.
 * <p>
 * A get is a hit when either tier answers; it is a miss when neither does. For a two-tier
 * cache every local miss goes on to Redis, so the misses are the local misses less the
 * remote hits.
 */
public class TwoTierCacheMeterBinderProvider implements CacheMeterBinderProvider<TwoTierCache> {

	private final ObjectProvider<TwoTierCacheManager> manager;

	/**
	 * Create a provider reading the counts of the given manager's caches.
	 * @param manager perfkit's cache manager
	 */
	public TwoTierCacheMeterBinderProvider(ObjectProvider<TwoTierCacheManager> manager) {
		this.manager = manager;
	}

	@Override
	public MeterBinder getMeterBinder(TwoTierCache cache, Iterable<Tag> tags) {
		return new TwoTierCacheMeterBinder(cache, tags, this.manager);
	}

	static final class TwoTierCacheMeterBinder extends CacheMeterBinder<TwoTierCache> {

		private final ObjectProvider<TwoTierCacheManager> manager;

		private final String name;

		private @Nullable MeterRegistry registry;

		TwoTierCacheMeterBinder(TwoTierCache cache, Iterable<Tag> tags, ObjectProvider<TwoTierCacheManager> manager) {
			super(cache, cache.getName(), tags);
			this.manager = manager;
			this.name = cache.getName();
		}

		private CacheStatisticsSnapshot.@Nullable CacheView view() {
			TwoTierCacheManager manager = this.manager.getIfAvailable();
			if (manager == null) {
				return null;
			}
			for (CacheStatisticsSnapshot.CacheView view : manager.snapshot().caches()) {
				if (view.name().equals(this.name)) {
					return view;
				}
			}
			return null;
		}

		@Override
		protected @Nullable Long size() {
			CacheStatisticsSnapshot.CacheView view = view();
			return (view != null) ? view.localSize() : null;
		}

		@Override
		protected long hitCount() {
			CacheStatisticsSnapshot.CacheView view = view();
			if (view == null) {
				return 0;
			}
			return switch (view.mode()) {
				case LOCAL -> view.counts().localHits();
				case REMOTE -> view.counts().remoteHits();
				case TWO_TIER -> view.counts().localHits() + view.counts().remoteHits();
			};
		}

		@Override
		protected @Nullable Long missCount() {
			CacheStatisticsSnapshot.CacheView view = view();
			if (view == null) {
				return null;
			}
			CacheStatisticsSnapshot.Counts counts = view.counts();
			return switch (view.mode()) {
				case LOCAL -> counts.localMisses();
				case REMOTE -> counts.remoteMisses();
				// The two counters are read one after the other: never report less than 0.
				case TWO_TIER -> Math.max(0, counts.localMisses() - counts.remoteHits());
			};
		}

		@Override
		protected @Nullable Long evictionCount() {
			MeterRegistry registry = this.registry;
			if (registry == null) {
				// Asked while binding, before the registry is known: report the meter.
				return 0L;
			}
			// Evictions are perfkit's own counter, per tier; Boot's meter reads their sum.
			return (long) registry.find("perfkit.cache.evictions")
				.tag("cache", this.name)
				.counters()
				.stream()
				.mapToDouble((counter) -> counter.count())
				.sum();
		}

		@Override
		protected long putCount() {
			CacheStatisticsSnapshot.CacheView view = view();
			return (view != null) ? view.counts().puts() : 0;
		}

		@Override
		protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
			// perfkit's own meters (perfkit.cache.*) are registered by the cache itself;
			// only remember the registry that holds its eviction counters.
			this.registry = registry;
		}

	}

}
