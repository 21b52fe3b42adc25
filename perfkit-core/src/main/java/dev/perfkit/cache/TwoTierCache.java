package dev.perfkit.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.lettuce.core.KeyValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.cache.support.AbstractValueAdaptingCache;
import org.springframework.cache.support.NullValue;

/**
 * A Spring {@link org.springframework.cache.Cache} with a Caffeine tier in front of a
 * Redis tier, kept coherent across instances, and serving on when Redis is down.
 * <p>
 * <b>Implementation note: what races, and who wins.</b> The guarantee is that once
 * writes stop and every invalidation has been delivered (or its loss detected), no
 * instance serves a value older than the last write; {@code CoherenceChecker} in the
 * tests hunts for violations with three instances, racing threads and faults.
 * <ul>
 * <li><b>Load against write, in Redis.</b> A load takes a fence before it reads the data:
 * the {@code FENCE} script puts a random marker in the entry's own key (or shares the one
 * there, or returns an entry that appeared). Its fill ({@code FILL}) replaces the marker
 * only if it is still there. Every write of the key ({@code SET}, {@code UNLINK}, a clear
 * or pattern eviction) removes the marker, so a load that any write overtook, on any
 * instance, never stores its value in Redis. The write wins.</li>
 * <li><b>Load against write, locally.</b> A load (and a copy from Redis) takes a local
 * token before it reads; the install checks, inside the key's compute, that no tombstone
 * newer than the token exists (see {@link LocalTier}). An invalidation message that
 * arrives before the install rejects it; one that arrives after removes it. The write
 * wins.</li>
 * <li><b>Writer's own install.</b> {@code put}, {@code putAll} and a written
 * {@code putIfAbsent} drop the local copy before writing (loads in flight here lose), and
 * install their value after Redis acknowledged only if no other instance's invalidation
 * arrived meanwhile: that write may be newer, and a miss is always safe. The install
 * stamps the key, so a copy this instance read from Redis just before the write cannot
 * land over it just after.</li>
 * <li><b>Read-your-writes.</b> A write waits for Redis; a caller that joins a load in
 * flight ({@code get(key, Callable)}, {@code retrieve}) joins it only if the key did not
 * change locally since that load began, so the writing thread's next read sees its
 * write.</li>
 * <li><b>{@code @Cacheable} without {@code sync}</b> (read, call, put): the missed read
 * takes the fence and keeps it per thread; the {@code put} of the same key on that thread
 * is its fill. When the fence is gone (or could not be taken) the put evicts the key
 * everywhere, since it may equally be a newer {@code @CachePut} that follows a read whose
 * method threw.</li>
 * <li><b>Announcements.</b> {@code put}, {@code evict} and {@code putIfAbsent} write and
 * {@code PUBLISH} in one script, so no instance hears of a write Redis does not hold.
 * {@code clear}, pattern eviction and batch puts write, wait, then publish; a publish that
 * fails is remembered and retried. A fill announces nothing: a key that held a marker had
 * no entry anyone may keep a copy of, because copies from Redis live no longer than the
 * entry's remaining TTL.</li>
 * <li><b>Redis failures</b> are never the caller's: reads become misses (and change
 * nothing: no reconciliation), writes go to the local tier and the key is remembered; the
 * manager's heartbeat tick, the breaker closing and every resubscription delete the
 * remembered keys from Redis and announce them ({@link #recover()}), and the latter two
 * flush every local tier. A fill whose outcome is unknown needs nothing: it was fenced.</li>
 * <li>Bytes in Redis that do not decode are a miss: counted, deleted, never thrown.</li>
 * </ul>
 */
public final class TwoTierCache extends AbstractValueAdaptingCache {

	private static final Logger logger = LoggerFactory.getLogger(TwoTierCache.class);

	private static final int MAX_KEY_LENGTH = 512;

	private static final long LEASE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private final String name;

	private final CacheSettings settings;

	private final LocalTier local;

	private final RemoteTier remote;

	private final InvalidationBus bus;

	private final CacheMetrics metrics;

	private final String keyPrefix;

	private final byte[] keyPrefixBytes;

	private final ConcurrentHashMap<String, Flight> loading = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, Flight> asyncLoading = new ConcurrentHashMap<>();

	private final OutageLedger ledger = new OutageLedger();

	TwoTierCache(String name, CacheSettings settings, RemoteTier remote, InvalidationBus bus, CacheMetrics metrics) {
		super(settings.cacheNullValues());
		this.name = name;
		this.settings = settings;
		this.local = settings.mode().usesLocal() ? new LocalTier(settings.localMaxSize(), settings.localTtl()) : null;
		this.remote = settings.mode().usesRemote() ? remote : null;
		this.bus = (this.local != null) ? bus : null;
		this.metrics = metrics;
		this.keyPrefix = settings.keyPrefix() + name + ":";
		this.keyPrefixBytes = this.keyPrefix.getBytes(StandardCharsets.UTF_8);
		if (this.local != null) {
			metrics.localSize(this.local, LocalTier::size);
		}
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
		Object found = lookupLocal(id);
		if (found == null) {
			found = lookupRemote(id);
		}
		if (found == null) {
			// Spring's @Cacheable without sync reads, calls the method, then puts its result:
			// take the fence now, before the method reads the data, for that put.
			Object fenced = fenceOrValue(id, true);
			if (!(fenced instanceof Fence fence)) {
				found = fenced;
			}
			else {
				PendingFills.remember(this, id, fence);
			}
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
		Object found = lookupLocal(id);
		if (found == null) {
			found = lookupRemote(id);
		}
		CacheStatus.record(found != null);
		if (found != null) {
			return (T) fromStoreValue(found);
		}
		Flight mine = new Flight(new CompletableFuture<>(), token(), Thread.currentThread());
		Flight running;
		while ((running = this.loading.putIfAbsent(id, mine)) != null) {
			if (running.thread() == mine.thread()) {
				throw new IllegalStateException("Recursive load of key '" + key + "' in cache '" + this.name
						+ "': the loader reads its own key");
			}
			if (!changedSince(id, running.token())) {
				return (T) fromStoreValue(await(running.future(), key, valueLoader));
			}
			// That load began before a write of the key: its value may be older than the write,
			// so this caller, who may have made the write, runs a load of its own.
			if (this.loading.replace(id, running, mine)) {
				break;
			}
		}
		try {
			LocalTier.Entry done = (this.local != null) ? this.local.get(id) : null;
			Object store = (done != null) ? done.value() : load(id, key, valueLoader, mine.token());
			mine.future().complete(store);
			return (T) fromStoreValue(store);
		}
		catch (RuntimeException ex) {
			mine.future().completeExceptionally(ex);
			throw ex;
		}
		finally {
			this.loading.remove(id, mine);
		}
	}

	@Override
	public CompletableFuture<?> retrieve(Object key) {
		String id = id(key);
		Object found = lookupLocal(id);
		if (found != null) {
			return CompletableFuture.completedFuture(wrap(found));
		}
		if (this.remote == null) {
			return null;
		}
		return lookupRemoteAsync(id).thenApply((store) -> (store != null) ? wrap(store) : null);
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		String id = id(key);
		Object found = lookupLocal(id);
		if (found != null) {
			return CompletableFuture.completedFuture((T) fromStoreValue(found));
		}
		Flight mine = new Flight(new CompletableFuture<>(), token(), null);
		Flight running;
		while ((running = this.asyncLoading.putIfAbsent(id, mine)) != null) {
			if (!changedSince(id, running.token())) {
				return running.future().thenApply((store) -> (T) fromStoreValue(store));
			}
			if (this.asyncLoading.replace(id, running, mine)) {
				break;
			}
		}
		long token = mine.token();
		CompletableFuture<Object> remoteValue = (this.remote != null) ? lookupRemoteAsync(id)
				: CompletableFuture.completedFuture(null);
		// The loader may block: never run it on Redis's event loop.
		remoteValue.thenCompose((store) -> (store != null) ? CompletableFuture.completedFuture(store)
				: fenceOrValueAsync(id, token))
			.thenComposeAsync((fenced) -> {
				if (!(fenced instanceof Fence fence)) {
					return CompletableFuture.completedFuture(fenced);
				}
				long start = System.nanoTime();
				return valueLoader.get().handle((value, failure) -> {
					this.metrics.load(System.nanoTime() - start, failure == null);
					if (failure != null) {
						throw (failure instanceof CompletionException completion) ? completion
								: new CompletionException(failure);
					}
					return storeValueOrSkip(value);
				}).thenCompose((loaded) -> (loaded != null) ? fillAsync(id, loaded, fence).thenApply((ignored) -> loaded)
						: CompletableFuture.completedFuture(NullValue.INSTANCE));
			})
			.whenComplete((store, failure) -> {
				this.asyncLoading.remove(id, mine);
				if (failure != null) {
					mine.future().completeExceptionally(failure);
				}
				else {
					mine.future().complete(store);
				}
			});
		return mine.future().thenApply((store) -> (T) fromStoreValue(store));
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
		Fence fence = PendingFills.take(this, id);
		Object store = toStoreValue(value);
		if (fence != null) {
			this.metrics.load(System.nanoTime() - fence.start(), true);
			this.metrics.put();
			if (this.remote != null && fence.marker() == null) {
				// No fence (Redis did not answer the read): maybe a newer write, maybe an older
				// load; drop the key in Redis and everywhere (or remember to, while Redis is
				// away), and keep the value locally unless the key changed here meanwhile.
				dropEverywhereElse(id);
				installLocal(id, store, fence.token(), -1);
			}
			else if (!fill(id, store, fence)) {
				dropEverywhereElse(id);
				if (this.local != null) {
					this.local.invalidate(id);
				}
			}
			return;
		}
		write(id, store);
	}

	/**
	 * A put that lost its fill (or could not be fenced) may still be a newer write: drop
	 * the key in Redis and on every other instance rather than leave anything older
	 * behind.
	 */
	private void dropEverywhereElse(String id) {
		if (this.remote != null) {
			try {
				deleteAndAnnounce(id);
			}
			catch (RuntimeException ex) {
				remoteFailed(id, ex);
			}
		}
	}

	@Override
	public ValueWrapper putIfAbsent(Object key, Object value) {
		String id = id(key);
		PendingFills.take(this, id);
		Object store = toStoreValue(value);
		if (this.remote != null) {
			long token = token();
			try {
				byte[] previous = setIfAbsentAndAnnounce(id, store);
				if (previous == null) {
					this.metrics.put();
					installOwn(id, store, token);
					return null;
				}
				Object existing = RemoteTier.isFence(previous) ? null : decode(id, previous);
				if (existing != null) {
					return toValueWrapper(existing);
				}
				// A load's fence marker (without a channel, SET NX GET returns it), or unreadable
				// bytes that decode deleted: write ours in their place.
				write(id, store);
				return null;
			}
			catch (RuntimeException ex) {
				remoteFailed(id, ex);
			}
		}
		if (this.local == null) {
			return null;
		}
		LocalTier.Entry existing = this.local.putIfAbsent(id, localEntry(id, store, -1));
		if (existing == null) {
			this.metrics.put();
			return null;
		}
		return toValueWrapper(existing.value());
	}

	@Override
	public void evict(Object key) {
		evictIfPresent(key);
	}

	@Override
	public boolean evictIfPresent(Object key) {
		String id = id(key);
		PendingFills.take(this, id);
		boolean present = false;
		if (this.remote != null) {
			try {
				present = deleteAndAnnounce(id) > 0;
				this.metrics.eviction(false);
			}
			catch (RuntimeException ex) {
				remoteFailed(id, ex);
			}
		}
		if (this.local != null && this.local.invalidate(id)) {
			present = true;
			this.metrics.eviction(true);
		}
		return present;
	}

	@Override
	public void clear() {
		invalidate(false);
	}

	@Override
	public boolean invalidate() {
		return invalidate(true);
	}

	private boolean invalidate(boolean countEntries) {
		boolean had = false;
		if (this.remote != null) {
			boolean cleared = false;
			try {
				had = this.remote.deleteMatching(globEscape(this.keyPrefix) + "*", countEntries) > 0;
				cleared = true;
			}
			catch (RuntimeException ex) {
				// Reconciliation clears and announces.
				remoteFailed(null, ex);
			}
			if (cleared) {
				announceOrRecord(Invalidation.Kind.CLEAR, List.of());
			}
		}
		if (this.local != null) {
			had |= this.local.clear();
		}
		return had;
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
			Object store = lookupLocal(id(key));
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
		long token = token();
		byte[][] redisKeys = new byte[missing.size()][];
		for (int i = 0; i < missing.size(); i++) {
			redisKeys[i] = redisKey(id(missing.get(i)));
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
		List<Object> foundStores = new ArrayList<>();
		for (int i = 0; i < values.size() && i < missing.size(); i++) {
			String id = id(missing.get(i));
			KeyValue<byte[], byte[]> value = values.get(i);
			byte[] bytes = value.hasValue() ? value.getValue() : null;
			Object store = (bytes != null && !RemoteTier.isFence(bytes)) ? decode(id, bytes) : null;
			this.metrics.get(false, store != null);
			if (store != null) {
				result.put(missing.get(i), fromStoreValue(store));
				found.add(redisKeys[i]);
				foundIds.add(id);
				foundStores.add(store);
			}
		}
		if (this.local != null && !found.isEmpty()) {
			try {
				long[] ttls = this.remote.ttls(found);
				for (int i = 0; i < ttls.length; i++) {
					installLocal(foundIds.get(i), foundStores.get(i), token, ttls[i]);
				}
			}
			catch (RuntimeException ex) {
				// Without the remaining TTL a local copy could outlive the entry: keep none.
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
		long token = invalidateLocally(stores.keySet());
		if (this.remote != null) {
			List<CompletableFuture<String>> writes = new ArrayList<>();
			stores.forEach((id, store) -> writes.add(this.remote.setAsync(redisKey(id),
					Envelope.wrap(this.settings.codec(), unstore(store)), remoteTtlMillis(id, store))));
			boolean written = false;
			try {
				CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0]))
					.get(this.remote.timeoutMillis() * 2 + 100, TimeUnit.MILLISECONDS);
				written = true;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				stores.keySet().forEach((id) -> remoteFailed(id, ex));
			}
			catch (ExecutionException | java.util.concurrent.TimeoutException ex) {
				stores.keySet().forEach((id) -> remoteFailed(id, ex));
			}
			if (written) {
				announceOrRecord(Invalidation.Kind.KEYS, List.copyOf(stores.keySet()));
			}
		}
		stores.forEach((id, store) -> {
			this.metrics.put();
			installOwn(id, store, token);
		});
	}

	/**
	 * Evict every key of this cache that matches a pattern, on every instance: SCAN and
	 * UNLINK in batches on every Redis master, then one message. In the pattern, {@code *}
	 * matches any characters and {@code ?} one; everything else is literal.
	 * @param pattern the pattern, matched against the key's string form
	 */
	public void evictMatching(String pattern) {
		if (this.remote != null) {
			try {
				this.remote.deleteMatching(globEscape(this.keyPrefix) + globOf(pattern), false);
				announceOrRecord(Invalidation.Kind.PATTERN, List.of(pattern));
			}
			catch (RuntimeException ex) {
				this.ledger.recordPattern(pattern);
			}
		}
		if (this.local != null) {
			Pattern regex = regexOf(pattern);
			this.local.invalidateIf((id) -> regex.matcher(id).matches());
		}
	}

	// Invalidations from other instances and recovery.

	void onInvalidation(Invalidation invalidation) {
		if (this.local == null) {
			return;
		}
		this.metrics.invalidationReceived();
		switch (invalidation.kind()) {
			case KEYS -> invalidation.keys().forEach(this.local::invalidate);
			case CLEAR -> this.local.clear();
			case PATTERN -> {
				Pattern regex = regexOf(invalidation.keys().get(0));
				this.local.invalidateIf((id) -> regex.matcher(id).matches());
			}
		}
	}

	/**
	 * A key changed in Redis, as the server's client tracking reported: drop it exactly as
	 * an invalidation message would (see {@link TrackingInvalidations}).
	 */
	void onTrackedChange(String id) {
		if (this.local != null) {
			this.metrics.trackingInvalidationReceived();
			this.local.invalidate(id);
		}
	}

	void flushLocal(String reason) {
		if (this.local != null) {
			this.local.clear();
			this.metrics.localFlush(reason);
		}
	}

	/**
	 * Redis is back: delete what was written only locally during the outage, and announce,
	 * and drop this instance's own copies of it too. The announcement reaches only the
	 * other instances, and this one may have copied the key from Redis after its write
	 * failed and before this ran, when Redis still held the value the write should have
	 * replaced (an evict or clear that never reached Redis leaves the old entry there).
	 * Dropping after the delete wins over copies in flight: they took their token before.
	 */
	void recover() {
		if (this.remote == null) {
			return;
		}
		if (this.ledger.takeEverything()) {
			try {
				this.remote.deleteMatching(globEscape(this.keyPrefix) + "*", false);
				publishAndWait(Invalidation.Kind.CLEAR, List.of());
				if (this.local != null) {
					this.local.clear();
				}
			}
			catch (RuntimeException ex) {
				this.ledger.recordEverything();
			}
			return;
		}
		for (Map.Entry<String, Long> pattern : this.ledger.patterns().entrySet()) {
			try {
				this.remote.deleteMatching(globEscape(this.keyPrefix) + globOf(pattern.getKey()), false);
				publishAndWait(Invalidation.Kind.PATTERN, List.of(pattern.getKey()));
				if (this.local != null) {
					Pattern regex = regexOf(pattern.getKey());
					this.local.invalidateIf((id) -> regex.matcher(id).matches());
				}
				this.ledger.settledPattern(pattern.getKey(), pattern.getValue());
			}
			catch (RuntimeException ex) {
				return;
			}
		}
		for (Map.Entry<String, Long> key : this.ledger.keys().entrySet()) {
			try {
				deleteAndAnnounce(key.getKey());
				if (this.local != null) {
					this.local.invalidate(key.getKey());
				}
				this.ledger.settled(key.getKey(), key.getValue());
			}
			catch (RuntimeException ex) {
				return;
			}
		}
	}

	/**
	 * Return whether nothing written only locally waits to be reconciled with Redis.
	 */
	boolean reconciled() {
		return this.ledger.isEmpty();
	}

	OutageLedger ledger() {
		return this.ledger;
	}

	CacheStatisticsSnapshot.CacheView view() {
		return new CacheStatisticsSnapshot.CacheView(this.name, this.settings.mode(), this.settings.ttl().toMillis(),
				this.settings.localTtl().toMillis(), (this.local != null) ? this.local.size() : 0,
				this.settings.localMaxSize(), this.metrics.counts(), !this.ledger.isEmpty());
	}

	// Internals.

	private Object lookupLocal(String id) {
		if (this.local == null) {
			return null;
		}
		LocalTier.Entry entry = this.local.get(id);
		this.metrics.get(true, entry != null);
		return (entry != null) ? entry.value() : null;
	}

	/**
	 * Read Redis; install a hit locally unless the key changed meanwhile, for no longer
	 * than Redis keeps it. A fence marker is a miss.
	 */
	private Object lookupRemote(String id) {
		if (this.remote == null) {
			return null;
		}
		long token = token();
		RemoteTier.Timed found;
		try {
			found = this.remote.getWithTtl(redisKey(id));
		}
		catch (RuntimeException ex) {
			this.metrics.get(false, false);
			return null;
		}
		return remoteHit(id, found, token);
	}

	private CompletableFuture<Object> lookupRemoteAsync(String id) {
		long token = token();
		return this.remote.getWithTtlAsync(redisKey(id))
			.handle((found, failure) -> remoteHit(id, (failure != null) ? null : found, token));
	}

	private Object remoteHit(String id, RemoteTier.Timed found, long token) {
		byte[] bytes = (found != null) ? found.bytes() : null;
		Object store = (bytes != null && !RemoteTier.isFence(bytes)) ? decode(id, bytes) : null;
		this.metrics.get(false, store != null);
		if (store != null) {
			installLocal(id, store, token, found.ttlMillis());
		}
		return store;
	}

	/**
	 * A load's permission to fill: the Redis marker it must find still in place (or
	 * {@code null} when Redis could not be asked, so the load fills the local tier only),
	 * and the local token taken before it.
	 */
	record Fence(byte[] marker, long token, long start) {
	}

	/**
	 * A load in flight on this instance: its result, the local token it started at, and
	 * the thread running it (to tell a loader that reads its own key).
	 */
	record Flight(CompletableFuture<Object> future, long token, Thread thread) {
	}

	/**
	 * Take the fence before loading: the local token first, then the Redis marker.
	 * @return a {@link Fence}, or the value when Redis turned out to hold one
	 */
	private Object fenceOrValue(String id, boolean countMiss) {
		long token = token();
		long start = System.nanoTime();
		if (this.remote == null) {
			return new Fence(null, token, start);
		}
		try {
			byte[] reply = this.remote.fence(redisKey(id), newMarker(), this.settings.leaseTtl().toMillis());
			return fenced(id, reply, token, start);
		}
		catch (RuntimeException ex) {
			return new Fence(null, token, start);
		}
	}

	private CompletableFuture<Object> fenceOrValueAsync(String id, long token) {
		long start = System.nanoTime();
		if (this.remote == null) {
			return CompletableFuture.completedFuture(new Fence(null, token, start));
		}
		return this.remote.fenceAsync(redisKey(id), newMarker(), this.settings.leaseTtl().toMillis())
			.handle((reply, failure) -> (failure != null) ? new Fence(null, token, start)
					: fenced(id, reply, token, start));
	}

	private Object fenced(String id, byte[] reply, long token, long start) {
		if (RemoteTier.isFence(reply)) {
			return new Fence(reply, token, start);
		}
		// Another load filled the key between our read and the fence: take its value (not
		// installed locally, since its remaining TTL is unknown).
		Object store = (reply != null) ? decode(id, reply) : null;
		return (store != null) ? store : new Fence(null, token, start);
	}

	private static byte[] newMarker() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return java.nio.ByteBuffer.allocate(17).put(RemoteTier.FENCE_MARK).putLong(random.nextLong())
			.putLong(random.nextLong()).array();
	}

	private Object load(String id, Object key, Callable<?> valueLoader, long token) {
		byte[] leaseKey = null;
		byte[] leaseToken = null;
		if (this.settings.lease() && this.remote != null && this.remote.isAvailable()) {
			leaseKey = (this.settings.keyPrefix() + "lease:" + this.name + ":" + id).getBytes(StandardCharsets.UTF_8);
			leaseToken = Long.toHexString(ThreadLocalRandom.current().nextLong()).getBytes(StandardCharsets.US_ASCII);
			Object other = awaitLease(id, leaseKey, leaseToken, token);
			if (other == LeaseOutcome.NOT_HELD) {
				leaseKey = null;
			}
			else if (other != LeaseOutcome.HELD) {
				return other;
			}
		}
		try {
			Object fenced = fenceOrValue(id, false);
			if (!(fenced instanceof Fence fence)) {
				return fenced;
			}
			long start = System.nanoTime();
			Object value;
			try {
				value = valueLoader.call();
				this.metrics.load(System.nanoTime() - start, true);
			}
			catch (Exception ex) {
				this.metrics.load(System.nanoTime() - start, false);
				throw new ValueRetrievalException(key, valueLoader, ex);
			}
			Object store = storeValueOrSkip(value);
			if (store != null) {
				fill(id, store, new Fence(fence.marker(), Math.min(token, fence.token()), fence.start()));
			}
			return (store != null) ? store : NullValue.INSTANCE;
		}
		finally {
			if (leaseKey != null) {
				try {
					this.remote.releaseLease(leaseKey, leaseToken);
				}
				catch (RuntimeException ex) {
					// The lease expires on its own.
				}
			}
		}
	}

	private enum LeaseOutcome {

		HELD, NOT_HELD

	}

	/**
	 * Take the lease, or wait for its holder's value.
	 * @return {@code HELD} when this instance loads, {@code NOT_HELD} when it loads without
	 * a lease (Redis failed, or the wait ran out), else the value another instance stored
	 */
	private Object awaitLease(String id, byte[] leaseKey, byte[] leaseToken, long token) {
		long deadline = System.nanoTime() + this.settings.leaseWait().toNanos();
		try {
			while (true) {
				if (this.remote.acquireLease(leaseKey, leaseToken, this.settings.leaseTtl().toMillis())) {
					// Another holder may have stored the value just before freeing the lease.
					Object stored = lookupRemote(id);
					if (stored != null) {
						this.remote.releaseLease(leaseKey, leaseToken);
						return stored;
					}
					return LeaseOutcome.HELD;
				}
				Object stored = lookupRemote(id);
				if (stored != null) {
					return stored;
				}
				if (System.nanoTime() >= deadline) {
					return LeaseOutcome.NOT_HELD;
				}
				LockSupport.parkNanos(LEASE_POLL_NANOS);
			}
		}
		catch (RuntimeException ex) {
			return LeaseOutcome.NOT_HELD;
		}
	}

	/**
	 * Store a loaded value: in Redis only if the load's fence marker is still there (no
	 * write of the key on any instance since the load began), then in the local tier
	 * unless the fill lost or the key changed locally since the load's token. When Redis
	 * could not be asked the local tier is filled (it alone serves during an outage); a
	 * write the load missed is then dropped by its message, or by the flush that follows
	 * a lost message.
	 */
	private boolean fill(String id, Object store, Fence fence) {
		if (changedSince(id, fence.token())) {
			return false;
		}
		if (this.remote != null) {
			if (fence.marker() == null) {
				// Redis could not be asked for a fence: fill the local tier only (it alone
				// serves during an outage).
				installLocal(id, store, fence.token(), -1);
				return true;
			}
			try {
				if (!this.remote.fill(redisKey(id), fence.marker(),
						Envelope.wrap(this.settings.codec(), unstore(store)), remoteTtlMillis(id, store))) {
					return false;
				}
			}
			catch (RuntimeException ex) {
				// Unknown outcome; a fill that landed was fenced, so nothing to reconcile.
				return false;
			}
		}
		installLocal(id, store, fence.token(), -1);
		return true;
	}

	private CompletableFuture<Void> fillAsync(String id, Object store, Fence fence) {
		if (changedSince(id, fence.token())) {
			return CompletableFuture.completedFuture(null);
		}
		if (this.remote == null || fence.marker() == null) {
			installLocal(id, store, fence.token(), -1);
			return CompletableFuture.completedFuture(null);
		}
		return this.remote
			.fillAsync(redisKey(id), fence.marker(), Envelope.wrap(this.settings.codec(), unstore(store)),
					remoteTtlMillis(id, store))
			.handle((filled, failure) -> {
				if (failure == null && filled) {
					installLocal(id, store, fence.token(), -1);
				}
				return null;
			});
	}

	private boolean changedSince(String id, long token) {
		return this.local != null && this.local.changedSince(id, token);
	}

	/**
	 * Write this instance's value: drop the local copy first (so loads in flight here
	 * lose), write Redis and announce, then install locally only if no invalidation from
	 * another instance arrived meanwhile (that write may be newer than ours; a miss is
	 * the safe answer).
	 */
	private void write(String id, Object store) {
		long token = invalidateLocally(List.of(id));
		if (this.remote != null) {
			try {
				byte[] key = redisKey(id);
				byte[] bytes = Envelope.wrap(this.settings.codec(), unstore(store));
				long ttl = remoteTtlMillis(id, store);
				if (this.bus != null) {
					// One round trip: the script publishes only after its SET succeeded.
					this.remote.await(this.bus.announce(Invalidation.Kind.KEYS, this.name, List.of(id),
							(channel, message) -> this.remote.setAndPublish(key, bytes, ttl, channel, message)));
					this.metrics.invalidationSent();
				}
				else {
					this.remote.set(key, bytes, ttl);
				}
			}
			catch (RuntimeException ex) {
				remoteFailed(id, ex);
			}
		}
		installOwn(id, store, token);
		this.metrics.put();
	}

	/**
	 * Drop local copies before a write, so that every load in flight here loses.
	 * @return the token after the drop, for installing the written values
	 */
	private long invalidateLocally(Collection<String> ids) {
		if (this.local == null) {
			return 0;
		}
		ids.forEach(this.local::invalidate);
		return this.local.token();
	}

	/**
	 * Delete a key from Redis and announce it, in one round trip when there is a channel:
	 * the script publishes even when Redis no longer held the key, because another
	 * instance may still hold a local copy of it (Redis let it expire, or it was written
	 * only locally during an outage).
	 * @return how many keys Redis deleted
	 */
	private long deleteAndAnnounce(String id) {
		byte[] key = redisKey(id);
		if (this.bus == null) {
			return this.remote.delete(key);
		}
		long deleted = this.remote.await(this.bus.announce(Invalidation.Kind.KEYS, this.name, List.of(id),
				(channel, message) -> this.remote.deleteAndPublish(key, channel, message)));
		this.metrics.invalidationSent();
		return deleted;
	}

	/**
	 * Write a key to Redis unless present, and announce the write, in one round trip when
	 * there is a channel: the script publishes the invalidation only when it wrote, and a
	 * filler that drops nothing otherwise (see {@link InvalidationBus#announceIfWritten}).
	 * @return the bytes Redis already held, or {@code null} when the value was written
	 */
	private byte[] setIfAbsentAndAnnounce(String id, Object store) {
		byte[] key = redisKey(id);
		byte[] bytes = Envelope.wrap(this.settings.codec(), unstore(store));
		long ttl = remoteTtlMillis(id, store);
		if (this.bus == null) {
			return this.remote.setIfAbsentGet(key, bytes, ttl);
		}
		byte[] previous = this.remote.await(this.bus.announceIfWritten(this.name, List.of(id),
				(channel, message, filler) -> this.remote.setIfAbsentAndPublish(key, bytes, ttl, channel, message,
						filler)));
		if (previous == null) {
			this.metrics.invalidationSent();
		}
		return previous;
	}

	/**
	 * Install a value locally unless the key changed since the token, for at most the
	 * remaining TTL in Redis when it is known ({@code remainingMillis >= 0}), so a copy
	 * never outlives the entry it was copied from; {@code -2} (Redis no longer had the
	 * key) installs nothing.
	 */
	private void installLocal(String id, Object store, long token, long remainingMillis) {
		if (this.local != null && remainingMillis != -2) {
			this.local.putIfUnchanged(id, localEntry(id, store, remainingMillis), token);
		}
	}

	/**
	 * Install this instance's own written value unless another instance's invalidation
	 * arrived since the token, stamping the key so that a copy read from Redis before the
	 * write (or a load begun before it) cannot land over it afterwards.
	 */
	private void installOwn(String id, Object store, long token) {
		if (this.local != null) {
			this.local.putOwnIfUnchanged(id, localEntry(id, store, -1), token);
		}
	}

	/**
	 * Announce a change that Redis already applied; when the announcement fails, remember
	 * it for reconciliation (delete and announce again as soon as Redis answers), since
	 * other instances may keep copies the message would have dropped.
	 */
	private void announceOrRecord(Invalidation.Kind kind, List<String> keys) {
		try {
			publishAndWait(kind, keys);
		}
		catch (RuntimeException ex) {
			switch (kind) {
				case KEYS -> keys.forEach((id) -> remoteFailed(id, ex));
				case PATTERN -> this.ledger.recordPattern(keys.get(0));
				default -> remoteFailed(null, ex);
			}
		}
	}

	private void publishAndWait(Invalidation.Kind kind, List<String> keys) {
		if (this.bus == null) {
			return;
		}
		try {
			this.bus.publish(kind, this.name, keys).join();
		}
		catch (CompletionException ex) {
			throw (ex.getCause() instanceof RuntimeException cause) ? cause : ex;
		}
		this.metrics.invalidationSent();
	}

	private void remoteFailed(String id, Throwable ex) {
		logger.debug("perfkit cache '{}' could not reach Redis: {}", this.name, ex.toString());
		this.ledger.recordKey(id);
	}

	private Object decode(String id, byte[] bytes) {
		try {
			Object value = Envelope.unwrap(this.settings.codec(), bytes);
			return (value != null) ? value : NullValue.INSTANCE;
		}
		catch (Envelope.CorruptEntryException ex) {
			this.metrics.decodeFailure();
			logger.debug("perfkit cache '{}' dropped an unreadable entry: {}", this.name, ex.getMessage());
			this.remote.deleteAsync(redisKey(id));
			return null;
		}
	}

	/**
	 * The fences of this thread's plain reads that missed, for the put that Spring's
	 * {@code @Cacheable} (without {@code sync}) sends after calling the method. A few per
	 * thread (nested cached methods), the oldest dropped first: a put without its fence is
	 * an ordinary write.
	 */
	private static final class PendingFills extends LinkedHashMap<PendingFills.Key, Fence> {

		private static final int MAX = 16;

		private static final ThreadLocal<PendingFills> CURRENT = ThreadLocal.withInitial(PendingFills::new);

		record Key(TwoTierCache cache, String id) {
		}

		static void remember(TwoTierCache cache, String id, Fence fence) {
			CURRENT.get().put(new Key(cache, id), fence);
		}

		static Fence take(TwoTierCache cache, String id) {
			PendingFills pending = CURRENT.get();
			return pending.isEmpty() ? null : pending.remove(new Key(cache, id));
		}

		@Override
		protected boolean removeEldestEntry(Map.Entry<Key, Fence> eldest) {
			return size() > MAX;
		}

	}

	private Object storeValueOrSkip(Object value) {
		return (value != null || isAllowNullValues()) ? toStoreValue(value) : null;
	}

	private static Object unstore(Object store) {
		return (store == NullValue.INSTANCE) ? null : store;
	}

	private Object wrap(Object store) {
		return isAllowNullValues() ? toValueWrapper(store) : fromStoreValue(store);
	}

	private long token() {
		return (this.local != null) ? this.local.token() : 0;
	}

	private LocalTier.Entry localEntry(String id, Object store, long remainingMillis) {
		Duration ttl = this.settings.localTtl();
		Duration own = (store == NullValue.INSTANCE) ? this.settings.nullTtl() : entryTtl(id, store);
		if (own != null && own.compareTo(ttl) < 0) {
			ttl = own;
		}
		if (remainingMillis >= 0 && remainingMillis < ttl.toMillis()) {
			ttl = Duration.ofMillis(Math.max(1, remainingMillis));
		}
		return LocalTier.Entry.of(store, ttl, this.settings.localTtl());
	}

	private Duration entryTtl(String id, Object store) {
		if (this.settings.entryTtl() == null) {
			return null;
		}
		Duration chosen = this.settings.entryTtl().ttl(id, store);
		return (chosen != null && !chosen.isNegative() && !chosen.isZero()) ? chosen : null;
	}

	private long remoteTtlMillis(String id, Object store) {
		Duration ttl = this.settings.ttl();
		if (store == NullValue.INSTANCE) {
			ttl = this.settings.nullTtl();
		}
		else {
			Duration chosen = entryTtl(id, store);
			if (chosen != null) {
				ttl = chosen;
			}
		}
		long millis = Math.max(1, ttl.toMillis());
		long jitter = (long) (millis * this.settings.ttlJitter());
		return (jitter > 0) ? millis + ThreadLocalRandom.current().nextLong(jitter + 1) : millis;
	}

	@SuppressWarnings("unchecked")
	private Object await(CompletableFuture<Object> running, Object key, Callable<?> valueLoader) {
		try {
			return running.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new ValueRetrievalException(key, valueLoader, ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new ValueRetrievalException(key, valueLoader, ex.getCause());
		}
	}

	private byte[] redisKey(String id) {
		// Prefix bytes are encoded once; only the id is encoded per call, with no
		// intermediate concatenated String.
		byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
		byte[] key = Arrays.copyOf(this.keyPrefixBytes, this.keyPrefixBytes.length + idBytes.length);
		System.arraycopy(idBytes, 0, key, this.keyPrefixBytes.length, idBytes.length);
		return key;
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

	private static String globEscape(String literal) {
		StringBuilder escaped = new StringBuilder(literal.length());
		for (char c : literal.toCharArray()) {
			if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
				escaped.append('\\');
			}
			escaped.append(c);
		}
		return escaped.toString();
	}

	private static String globOf(String pattern) {
		StringBuilder glob = new StringBuilder(pattern.length());
		for (char c : pattern.toCharArray()) {
			if (c == '[' || c == ']' || c == '\\') {
				glob.append('\\');
			}
			glob.append(c);
		}
		return glob.toString();
	}

	private static Pattern regexOf(String pattern) {
		StringBuilder regex = new StringBuilder();
		for (char c : pattern.toCharArray()) {
			switch (c) {
				case '*' -> regex.append(".*");
				case '?' -> regex.append('.');
				default -> regex.append(Pattern.quote(String.valueOf(c)));
			}
		}
		return Pattern.compile(regex.toString(), Pattern.DOTALL);
	}

}
