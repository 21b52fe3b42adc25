package dev.perfkit.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.perfkit.redis.CircuitBreaker;
import dev.perfkit.redis.RedisConnector;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;

/**
 * perfkit's {@link CacheManager}: a {@link TwoTierCache} per name, sharing one Redis
 * connector and one invalidation channel.
 * <p>
 * <b>Implementation note.</b> Caches are created on first use (or up front for the
 * configured names) and never replaced, so a reference a caller holds stays valid. The
 * manager owns recovery: each (re)subscription to the invalidation channel, each lost
 * message and each close of the circuit breaker flushes every local tier, and on
 * recovery every cache deletes from Redis the keys it could only write locally during
 * the outage. Recovery runs on the channel's own thread, never on a caller's or on
 * Redis's event loop. Without a connector every cache runs on its local tier alone.
 * Caches whose invalidation mode uses Redis client tracking are registered, by their key
 * prefix, with {@link TrackingInvalidations}, which applies the server's pushes to them and
 * flushes them whenever tracking is (re)enabled; perfkit's messages, and the flushes their
 * loss causes, reach only caches whose mode uses messages.
 */
public final class TwoTierCacheManager implements CacheManager, AutoCloseable {

	/** The default invalidation channel. */
	public static final String DEFAULT_CHANNEL = "perfkit:cache:invalidations";

	/** How often each instance states its last message number and reconciles. */
	static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);

	private final Function<String, CacheSettings> settings;

	private final RedisConnector connector;

	private final MeterRegistry registry;

	private final InvalidationBus bus;

	private final TrackingInvalidations tracking;

	/** The caches whose local tiers client tracking keeps, by their keys' prefix. */
	private final Map<String, TwoTierCache> tracked = new ConcurrentHashMap<>();

	private final boolean dynamic;

	private final Map<String, TwoTierCache> caches = new ConcurrentHashMap<>();

	private final Collection<String> names = Collections.synchronizedSet(new LinkedHashSet<>());

	private Duration heartbeat = DEFAULT_HEARTBEAT;

	/**
	 * Create a manager.
	 * @param settings the settings of each cache by name
	 * @param connector the Redis connector, or {@code null} to run every cache locally
	 * @param registry where meters go
	 * @param channel the invalidation channel, starting with {@code perfkit:}
	 * @param cacheNames the caches to create up front
	 * @param dynamic whether other names create caches on first use
	 */
	public TwoTierCacheManager(Function<String, CacheSettings> settings, RedisConnector connector,
			MeterRegistry registry, String channel, Collection<String> cacheNames, boolean dynamic) {
		this.settings = settings;
		this.connector = connector;
		this.registry = registry;
		this.dynamic = dynamic;
		this.bus = (connector != null)
				? new InvalidationBus(connector, channel.getBytes(StandardCharsets.UTF_8), new Dispatcher()) : null;
		this.tracking = (connector != null) ? new TrackingInvalidations(connector, new TrackingDispatcher()) : null;
		Gauge.builder("perfkit.cache.breaker.state", this, TwoTierCacheManager::breakerGauge)
			.description("The cache engine's Redis breaker: 0 closed, 1 half-open, 2 open (also while the "
					+ "connection is lost)")
			.register(registry);
		cacheNames.forEach((name) -> this.caches.computeIfAbsent(name, this::create));
	}

	/**
	 * Connect to Redis in the background and subscribe to invalidations. Returns at once;
	 * the caches work locally until Redis answers.
	 */
	public void start() {
		if (this.connector == null) {
			return;
		}
		this.connector.breaker().onStateChange((state) -> {
			if (state == CircuitBreaker.State.CLOSED) {
				this.bus.runLater(() -> recover("recovered"));
			}
		});
		this.connector.connect();
		this.bus.start(this.connector.settings().reconnectBackoff(), this.heartbeat, this::reconcile);
		this.tracking.start(this.heartbeat);
	}

	/**
	 * Change how often this instance publishes its heartbeat and reconciles; call before
	 * {@link #start()}.
	 * @param heartbeat the interval
	 */
	void heartbeat(Duration heartbeat) {
		this.heartbeat = heartbeat;
	}

	/**
	 * Delete from Redis and announce what could not be written or announced, in every
	 * cache that has such keys, while Redis answers. Runs on the channel's thread. Goes by
	 * the connection, not the breaker: while the breaker is open the first command fails at
	 * once, and once its open duration has passed that command is the breaker's trial, so
	 * reconciliation never waits for a caller to close the breaker (after a load stops,
	 * none may come).
	 */
	private void reconcile() {
		if (this.connector == null || !this.connector.isConnected()) {
			return;
		}
		this.caches.values().forEach((cache) -> {
			if (!cache.reconciled()) {
				cache.recover();
			}
		});
	}

	@Override
	public Cache getCache(String name) {
		TwoTierCache cache = this.caches.get(name);
		if (cache != null || !this.dynamic) {
			return cache;
		}
		return this.caches.computeIfAbsent(name, this::create);
	}

	@Override
	public Collection<String> getCacheNames() {
		synchronized (this.names) {
			return List.copyOf(this.names);
		}
	}

	/**
	 * Return a snapshot of every cache, for the actuator.
	 * @return the snapshot
	 */
	public CacheStatisticsSnapshot snapshot() {
		List<CacheStatisticsSnapshot.CacheView> views = new ArrayList<>();
		getCacheNames().forEach((name) -> views.add(this.caches.get(name).view()));
		return new CacheStatisticsSnapshot(this.connector != null && this.connector.isAvailable(),
				(this.connector != null) ? this.connector.callState().name() : "NONE",
				this.bus != null && this.bus.isSubscribed(), List.copyOf(views),
				this.tracked.isEmpty() ? "unused" : (isTracking() ? "on" : "off"));
	}

	/**
	 * Return whether Redis is configured for this manager.
	 * @return whether there is a connector
	 */
	public boolean hasRemote() {
		return this.connector != null;
	}

	/**
	 * Return whether Redis client tracking is on for every cache whose invalidation mode
	 * uses it (on every master of a cluster); {@code false} when no cache uses it.
	 * @return whether every change of those caches' keys is being reported
	 */
	public boolean isTracking() {
		return this.tracking != null && !this.tracked.isEmpty() && this.tracking.isTracking();
	}

	InvalidationBus bus() {
		return this.bus;
	}

	TrackingInvalidations tracking() {
		return this.tracking;
	}

	Collection<TwoTierCache> caches() {
		return this.caches.values();
	}

	@Override
	public void close() {
		this.caches.values().forEach(TwoTierCache::close);
		if (this.tracking != null) {
			this.tracking.close();
		}
		if (this.bus != null) {
			this.bus.close();
		}
	}

	private TwoTierCache create(String name) {
		CacheSettings cacheSettings = this.settings.apply(name);
		if (this.connector == null && cacheSettings.mode() != CacheMode.LOCAL) {
			cacheSettings = cacheSettings.withMode(CacheMode.LOCAL);
		}
		CacheMetrics metrics = new CacheMetrics(this.registry, name);
		RemoteTier remote = (this.connector != null) ? new RemoteTier(this.connector, metrics) : null;
		TwoTierCache cache = new TwoTierCache(name, cacheSettings, remote, this.bus, metrics);
		if (this.tracking != null && cacheSettings.mode() == CacheMode.TWO_TIER
				&& cacheSettings.invalidation().usesTracking()) {
			String prefix = cacheSettings.keyPrefix() + name + ":";
			this.tracked.put(prefix, cache);
			this.tracking.track(prefix);
		}
		this.names.add(name);
		return cache;
	}

	private void recover(String reason) {
		this.caches.values().forEach((cache) -> {
			cache.recover();
			cache.flushLocal(reason);
		});
	}

	private double breakerGauge() {
		if (this.connector == null) {
			return 0;
		}
		return switch (this.connector.callState()) {
			case CLOSED -> 0;
			case HALF_OPEN -> 1;
			case OPEN -> 2;
		};
	}

	/**
	 * Settings that are the same for every cache, for tests and simple setups.
	 * @param settings the settings
	 * @return a resolver
	 */
	public static Function<String, CacheSettings> uniform(CacheSettings settings) {
		return (name) -> settings;
	}

	private final class Dispatcher implements InvalidationBus.Receiver {

		@Override
		public void onInvalidation(Invalidation invalidation) {
			TwoTierCache cache = TwoTierCacheManager.this.caches.get(invalidation.cache());
			if (cache != null && usesMessages(cache)) {
				cache.onInvalidation(invalidation);
			}
		}

		@Override
		public void onFlush(String reason) {
			TwoTierCacheManager.this.caches.values().forEach((cache) -> {
				if (usesMessages(cache)) {
					cache.flushLocal(reason);
				}
			});
			if ("resubscribe".equals(reason)) {
				TwoTierCacheManager.this.bus
					.runLater(() -> TwoTierCacheManager.this.caches.values().forEach(TwoTierCache::recover));
			}
		}

		/**
		 * Whether messages (and their loss) concern this cache's local tier: not for a
		 * cache that client tracking alone keeps. Reconciliation still runs for every cache:
		 * it is the writer's duty, whatever the readers listen to.
		 */
		private boolean usesMessages(TwoTierCache cache) {
			return cache.settings().invalidation().usesMessages();
		}

	}

	/**
	 * Applies the server's tracking pushes to the caches whose prefix the key has. Caches
	 * whose prefixes overlap ({@code a} and {@code a:b}) both drop such a key: a drop too
	 * many is only a miss.
	 */
	private final class TrackingDispatcher implements TrackingInvalidations.Receiver {

		@Override
		public void onKeys(List<String> keys) {
			for (String key : keys) {
				TwoTierCacheManager.this.tracked.forEach((prefix, cache) -> {
					if (key.startsWith(prefix)) {
						cache.onTrackedChange(key.substring(prefix.length()));
					}
				});
			}
		}

		@Override
		public void onFlush(String reason) {
			TwoTierCacheManager.this.tracked.values().forEach((cache) -> cache.flushLocal(reason));
		}

	}

}
