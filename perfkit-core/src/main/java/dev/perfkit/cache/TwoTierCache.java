package dev.perfkit.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.lettuce.core.KeyValue;

import org.springframework.cache.support.AbstractValueAdaptingCache;
import org.springframework.cache.support.NullValue;

/**
 * A Spring {@link org.springframework.cache.Cache} with a Caffeine tier in front of a
 * Redis tier, kept coherent across instances, and serving on when Redis is down.
 * <p>
 * <b>Implementation note: what races, and who wins.</b> The guarantee is that once
 * writes stop and every invalidation has been delivered (or its loss detected), no
 * instance serves a value older than the last write; {@code CoherenceChecker} in the
 * tests hunts for violations with three instances, racing threads and faults. This class
 * is the Spring {@code Cache} adapter: it turns keys into ids and values into store values
 * and back, and hands each operation to the part that owns its races. Each part opens
 * with a note that states them and who wins:
 * <ul>
 * <li>{@link CacheTiers}: an entry's Redis key, envelope and TTLs, reads through both
 * tiers, and local installs ordered against invalidations. A copy from Redis loses to an
 * invalidation of its key, whether that arrives before or after the copy, and lives no
 * longer than the entry's remaining TTL.</li>
 * <li>{@link LoadCoordinator}: one load per key per instance, fenced in Redis against
 * every write of the key on any instance and filled only if no write overtook it (the
 * write wins); a caller joins a load in flight only if the key did not change locally
 * since it began (read-your-writes).</li>
 * <li>{@link CacheWriter}: {@code put}, {@code putIfAbsent}, {@code evict},
 * {@code clear}, batch puts and pattern evictions, each written to Redis before it is
 * announced (in one script for a single key) and waited for; a written value is installed
 * locally only if no other instance's invalidation arrived meanwhile.</li>
 * <li>{@link Reconciler} with the {@link OutageLedger}: a write or announcement that
 * Redis failed is recorded, then deleted from Redis and announced again once Redis
 * answers.</li>
 * <li>{@link RefreshAhead} (with {@code refresh-ahead}): a hit past the threshold that
 * carries a loader queues one background reload, leased across instances, written only
 * if no write of the key came first, and announced. Stale-if-error lives in
 * {@link CacheTiers} (logical expiry) and {@link LoadCoordinator} (the failing load).</li>
 * </ul>
 * Where the parts meet, here: a {@code put} is the fill of this thread's last plain read
 * of the key when that read missed and left a fence (Spring's {@code @Cacheable} without
 * {@code sync}: read, call, put), else a write; {@code putIfAbsent} and {@code evict}
 * take that fence away first. Invalidations from other instances drop local copies
 * ({@link #onInvalidation}); a gap in a sender's numbers, a resubscription and the
 * circuit breaker closing flush the whole local tier ({@link #flushLocal}). Redis failures are never the caller's: reads
 * become misses (and change nothing: no reconciliation), writes go to the local tier. Bytes
 * in Redis that do not decode are a miss: counted, deleted, never thrown.
 */
public final class TwoTierCache extends AbstractValueAdaptingCache {

	private static final int MAX_KEY_LENGTH = 512;

	private final String name;

	private final CacheSettings settings;

	private final LocalTier local;

	private final RemoteTier remote;

	private final CacheMetrics metrics;

	private final CacheTiers tiers;

	private final OutageLedger ledger = new OutageLedger();

	private final CacheWriter writer;

	private final LoadCoordinator loads;

	private final Reconciler reconciler;

	private final RefreshAhead refreshAhead;

	TwoTierCache(String name, CacheSettings settings, RemoteTier remote, InvalidationBus bus, CacheMetrics metrics) {
		super(settings.cacheNullValues());
		this.tiers = new CacheTiers(name, settings, remote, bus, metrics);
		this.name = name;
		this.settings = settings;
		this.local = this.tiers.local();
		this.remote = this.tiers.remote();
		this.metrics = metrics;
		this.writer = new CacheWriter(this.tiers, this.ledger);
		this.loads = new LoadCoordinator(this.tiers, this.writer, this);
		this.reconciler = new Reconciler(this.tiers, this.writer, this.ledger);
		this.refreshAhead = (settings.freshness().refreshAheadEnabled() && this.remote != null)
				? new RefreshAhead(this.tiers, this.writer, this) : null;
	}

	@Override
	public String getName() {
		return this.name;
	}

	/**
	 * Return the local Caffeine cache, or {@code null} for a remote-only cache.
	 */
	@Override
	public Object getNativeCache() {
		return (this.local != null) ? this.local.nativeCache() : null;
	}

	/**
	 * Return the cache's settings.
	 * @return the settings
	 */
	public CacheSettings settings() {
		return this.settings;
	}

	@Override
	protected Object lookup(Object key) {
		String id = id(key);
		Object found = this.tiers.lookupLocal(id);
		if (found == null) {
			found = this.tiers.lookupRemote(id);
		}
		if (found == null) {
			// Spring's @Cacheable without sync reads, calls the method, then puts its result:
			// take the fence now, before the method reads the data, for that put.
			found = this.loads.fenceForPut(id);
		}
		CacheStatus.record(found != null);
		return found;
	}

	/**
	 * Return what was stored: {@code null} for a cached {@code null}, whether or not this
	 * cache stores nulls, so a {@code NullValue} never reaches a caller.
	 */
	@Override
	protected Object fromStoreValue(Object storeValue) {
		return (storeValue == NullValue.INSTANCE) ? null : storeValue;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> T get(Object key, Callable<T> valueLoader) {
		String id = id(key);
		Object found = this.tiers.lookupLocal(id);
		if (found == null) {
			// With refresh-ahead, local copies end at the threshold: past it, Redis's PTTL
			// tells this read to queue a background reload (see RefreshAhead).
			found = (this.refreshAhead != null)
					? this.tiers.lookupRemote(id, (bytes, remaining) -> this.refreshAhead.due(id, key, valueLoader))
					: this.tiers.lookupRemote(id);
		}
		CacheStatus.record(found != null);
		if (found != null) {
			return (T) fromStoreValue(found);
		}
		return (T) fromStoreValue(this.loads.get(id, key, valueLoader));
	}

	@Override
	public CompletableFuture<?> retrieve(Object key) {
		String id = id(key);
		Object found = this.tiers.lookupLocal(id);
		if (found != null) {
			return CompletableFuture.completedFuture(wrap(found));
		}
		if (this.remote == null) {
			return null;
		}
		return offEventLoop(this.tiers.lookupRemoteAsync(id).thenApply((store) -> (store != null) ? wrap(store) : null));
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		String id = id(key);
		Object found = this.tiers.lookupLocal(id);
		if (found != null) {
			return CompletableFuture.completedFuture((T) fromStoreValue(found));
		}
		// With refresh-ahead, local copies end at the threshold: past it, Redis's PTTL tells
		// this read to queue a background reload, which waits for the loader's future on
		// refresh-ahead's own thread (see RefreshAhead).
		CompletableFuture<Object> loaded = (this.refreshAhead != null)
				? this.loads.retrieve(id, valueLoader,
						(bytes, remaining) -> this.refreshAhead.due(id, key, () -> valueLoader.get().join()))
				: this.loads.retrieve(id, valueLoader);
		return offEventLoop(loaded.thenApply((store) -> (T) fromStoreValue(store)));
	}

	/**
	 * Return a future that a Redis reply does not complete on Lettuce's event loop. Spring's
	 * {@code @Cacheable} on a {@code CompletableFuture} or {@code Mono} method invokes the
	 * method and then puts its value in the thread that completes {@code retrieve}'s future:
	 * on the event loop, a put waits for a reply that only the blocked event loop can read.
	 * A future already done completes its continuations in the caller's thread.
	 */
	private static <T> CompletableFuture<T> offEventLoop(CompletableFuture<T> future) {
		return future.isDone() ? future : future.thenApplyAsync(Function.identity());
	}

	/**
	 * Store an entry. When this thread's last read of the key through {@link #get(Object)}
	 * missed (Spring's {@code @Cacheable} without {@code sync}: read, call the method, put
	 * its result), this is that read's fill: it writes, without announcing, only if no
	 * write of the key happened on any instance since the read; otherwise (or when Redis
	 * could not fence the read) it evicts the key everywhere, since the value may be older
	 * than that write. So a {@code @CachePut} that happens to follow a read of the same key
	 * on the same thread (whose {@code @Cacheable} method threw, say) either writes or
	 * evicts, and never leaves an older value behind. Otherwise it is a write
	 * ({@code @CachePut}).
	 */
	@Override
	public void put(Object key, Object value) {
		String id = id(key);
		LoadCoordinator.Fence fence = this.loads.takePendingFill(id);
		Object store = toStoreValue(value);
		if (fence != null) {
			this.loads.fillOrDrop(id, store, fence);
			return;
		}
		this.writer.write(id, store);
	}

	@Override
	public ValueWrapper putIfAbsent(Object key, Object value) {
		String id = id(key);
		this.loads.takePendingFill(id);
		Object store = toStoreValue(value);
		return toValueWrapper(this.writer.putIfAbsent(id, store));
	}

	@Override
	public void evict(Object key) {
		evictIfPresent(key);
	}

	@Override
	public boolean evictIfPresent(Object key) {
		String id = id(key);
		this.loads.takePendingFill(id);
		return this.writer.evictIfPresent(id);
	}

	@Override
	public void clear() {
		this.writer.invalidate(false);
	}

	@Override
	public boolean invalidate() {
		return this.writer.invalidate(true);
	}

	/**
	 * Read many keys: the local tier first, then one multi-get in Redis for the rest (on a
	 * cluster, Lettuce sends one per slot, in parallel). Keys that are absent everywhere are
	 * absent from the result; a cached {@code null} maps to {@code null}.
	 * @param keys the keys
	 * @return the cached values by key
	 */
	public Map<Object, Object> getAll(Collection<?> keys) {
		Map<Object, Object> result = new LinkedHashMap<>();
		List<Object> missing = new ArrayList<>();
		for (Object key : keys) {
			Object store = this.tiers.lookupLocal(id(key));
			if (store != null) {
				result.put(key, fromStoreValue(store));
			}
			else {
				missing.add(key);
			}
		}
		if (this.remote == null || missing.isEmpty()) {
			return result;
		}
		long token = this.tiers.token();
		byte[][] redisKeys = new byte[missing.size()][];
		for (int i = 0; i < missing.size(); i++) {
			redisKeys[i] = this.tiers.redisKey(id(missing.get(i)));
		}
		List<KeyValue<byte[], byte[]>> values;
		try {
			values = this.remote.getAll(redisKeys);
		}
		catch (RuntimeException ex) {
			// A failed read changes nothing in Redis: nothing to reconcile.
			return result;
		}
		List<byte[]> found = new ArrayList<>();
		List<String> foundIds = new ArrayList<>();
		List<Object> foundKeys = new ArrayList<>();
		List<Object> foundStores = new ArrayList<>();
		for (int i = 0; i < values.size() && i < missing.size(); i++) {
			String id = id(missing.get(i));
			KeyValue<byte[], byte[]> value = values.get(i);
			byte[] bytes = value.hasValue() ? value.getValue() : null;
			Object store = (bytes != null && !RemoteTier.isFence(bytes)) ? this.tiers.decode(id, bytes) : null;
			if (store != null) {
				found.add(redisKeys[i]);
				foundIds.add(id);
				foundKeys.add(missing.get(i));
				foundStores.add(store);
			}
			else {
				this.metrics.get(false, false);
			}
		}
		long[] ttls = null;
		if (!found.isEmpty() && (this.local != null || this.tiers.staleMillis() > 0)) {
			try {
				ttls = this.remote.ttls(found);
			}
			catch (RuntimeException ex) {
				// Without the remaining TTL a local copy could outlive the entry: keep none.
			}
		}
		for (int i = 0; i < foundStores.size(); i++) {
			long remaining = (ttls != null) ? ttls[i] : -1;
			// With stale-if-error, an entry in its last window is logically expired: a miss.
			// Unconfirmed (the PTTLs failed) counts as expired too.
			boolean expired = this.tiers.staleMillis() > 0 && (ttls == null || this.tiers.logicallyExpired(remaining));
			this.metrics.get(false, !expired);
			if (!expired) {
				result.put(foundKeys.get(i), fromStoreValue(foundStores.get(i)));
				if (ttls != null) {
					this.tiers.installLocal(foundIds.get(i), foundStores.get(i), token, remaining);
				}
			}
		}
		return result;
	}

	/**
	 * Write many entries: pipelined writes to Redis, one invalidation message for them all.
	 * @param entries the entries
	 */
	public void putAll(Map<?, ?> entries) {
		if (entries.isEmpty()) {
			return;
		}
		Map<String, Object> stores = new LinkedHashMap<>();
		entries.forEach((key, value) -> stores.put(id(key), toStoreValue(value)));
		this.writer.putAll(stores);
	}

	/**
	 * Evict every key of this cache that matches a pattern, on every instance: SCAN and
	 * UNLINK in batches on every Redis master, then one message. In the pattern, {@code *}
	 * matches any characters and {@code ?} one; everything else is literal.
	 * @param pattern the pattern, matched against the key's string form
	 */
	public void evictMatching(String pattern) {
		this.writer.evictMatching(pattern);
	}

	// Invalidations from other instances and recovery.

	void onInvalidation(Invalidation invalidation) {
		if (this.local == null) {
			return;
		}
		switch (invalidation.kind()) {
			case KEYS -> invalidation.keys().forEach(this.local::invalidate);
			case CLEAR -> this.local.clear();
			case PATTERN -> {
				Pattern regex = CacheTiers.regexOf(invalidation.keys().get(0));
				this.local.invalidateIf((id) -> regex.matcher(id).matches());
			}
		}
		// Counted once applied: a reader that sees the count finds the keys dropped.
		this.metrics.invalidationReceived();
	}

	/**
	 * Stop this cache's background work (refresh-ahead's threads).
	 */
	void close() {
		if (this.refreshAhead != null) {
			this.refreshAhead.close();
		}
	}

	/**
	 * A key changed in Redis, as the server's client tracking reported: drop it exactly as
	 * an invalidation message would (see {@link TrackingInvalidations}).
	 */
	void onTrackedChange(String id) {
		if (this.local != null) {
			this.local.invalidate(id);
			this.metrics.trackingInvalidationReceived();
		}
	}

	void flushLocal(String reason) {
		if (this.local != null) {
			this.local.clear();
			this.metrics.localFlush(reason);
		}
	}

	/**
	 * Redis is back: delete from Redis and announce what was written only locally during
	 * the outage (see {@link Reconciler}).
	 */
	void recover() {
		this.reconciler.recover();
	}

	/**
	 * Return whether nothing written only locally waits to be reconciled with Redis.
	 */
	boolean reconciled() {
		return this.reconciler.reconciled();
	}

	OutageLedger ledger() {
		return this.ledger;
	}

	CacheStatisticsSnapshot.CacheView view() {
		return new CacheStatisticsSnapshot.CacheView(this.name, this.settings.mode(), this.settings.ttl().toMillis(),
				this.settings.localTtl().toMillis(), (this.local != null) ? this.local.size() : 0,
				this.settings.localMaxSize(), this.metrics.counts(), !reconciled(),
				new CacheStatisticsSnapshot.FreshnessView(this.settings.freshness().staleIfError().toMillis(),
						this.settings.freshness().refreshAhead(), this.metrics.freshnessCounts()));
	}

	/**
	 * Return the store value of a loaded value, or {@code null} when it is {@code null} and
	 * this cache does not store nulls.
	 */
	Object storeValueOrSkip(Object value) {
		return (value != null || isAllowNullValues()) ? toStoreValue(value) : null;
	}

	private Object wrap(Object store) {
		return isAllowNullValues() ? toValueWrapper(store) : fromStoreValue(store);
	}

	/**
	 * The key's string form, as both tiers and the invalidation messages know it. Keys
	 * longer than 512 characters are replaced by their SHA-256, so a huge key costs a
	 * fixed size in Redis.
	 */
	static String id(Object key) {
		String id = (key instanceof String string) ? string : String.valueOf(key);
		if (id.length() <= MAX_KEY_LENGTH) {
			return id;
		}
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
			return "sha256:" + HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
