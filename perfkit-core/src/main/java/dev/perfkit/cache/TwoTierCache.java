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
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <b>Implementation note.</b>
 * <ul>
 * <li>Reads go local, then Redis; a Redis value is installed locally only if no
 * invalidation or local write of that key happened since the read started (see
 * {@link LocalTier}): an invalidation that races a load always wins.</li>
 * <li>Writes ({@code put}, {@code evict}, {@code clear}) go to Redis first and wait for
 * its acknowledgement, then are announced on the invalidation channel, then applied
 * locally. So a receiver that drops its local copy and reads Redis sees the new state.
 * A {@code put}, an {@code evict} and a {@code putIfAbsent} each do both in one round
 * trip: a small script runs the write and then, on the server, {@code PUBLISH}, so the
 * announcement can never precede the write (and is not sent when the write fails). An
 * {@code evict} announces even when Redis no longer held the key, since another
 * instance may still hold a local copy; a {@code putIfAbsent} that found the key
 * present publishes only a filler that keeps the message numbering gap-free. If the
 * caller gives up waiting, the instance treats the key as written only locally (see
 * below), whatever the server did. {@code clear}, pattern eviction and batch puts touch
 * many keys (on a cluster, many masters), so they write, wait, then {@code PUBLISH}.
 * Loads fill Redis with {@code SET NX}, so a load never overwrites a newer {@code put},
 * and a load that saw an invalidation while it ran writes nothing at all.</li>
 * <li>{@link #get(Object, Callable)} (and {@link #retrieve(Object, Supplier)} for async
 * return types) runs the loader once per key per instance: the first
 * caller registers a future in {@code loading}, later callers wait on it. Locks are per
 * key, never per cache. With the lease on, the loader takes a {@code SET NX PX} lease in
 * Redis, and other instances poll Redis for the value for at most {@code leaseWait}; the
 * lease is freed by a compare-and-delete script, so a holder never frees another's.</li>
 * <li>A Redis failure is never the caller's: reads become misses (and the loader runs),
 * writes go to the local tier only and the key is remembered; when Redis returns
 * ({@link #recover()}), remembered keys are deleted from Redis and announced, and every
 * local tier is flushed, so nothing written during the outage stays stale.</li>
 * <li>Bytes in Redis that do not decode are a miss: counted, deleted, never thrown.</li>
 * </ul>
 */
public final class TwoTierCache extends AbstractValueAdaptingCache {

	private static final Logger logger = LoggerFactory.getLogger(TwoTierCache.class);

	private static final int MAX_KEY_LENGTH = 512;

	private static final int MAX_UNSYNCED = 10_000;

	private static final long LEASE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private final String name;

	private final CacheSettings settings;

	private final LocalTier local;

	private final RemoteTier remote;

	private final InvalidationBus bus;

	private final CacheMetrics metrics;

	private final String keyPrefix;

	private final byte[] keyPrefixBytes;

	private final ConcurrentHashMap<String, CompletableFuture<Object>> loading = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, CompletableFuture<Object>> asyncLoading = new ConcurrentHashMap<>();

	private final Set<String> unsynced = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean unsyncedOverflow = new AtomicBoolean();

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
		CacheStatus.record(found != null);
		return found;
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
		CompletableFuture<Object> mine = new CompletableFuture<>();
		CompletableFuture<Object> running = this.loading.putIfAbsent(id, mine);
		if (running != null) {
			return (T) fromStoreValue(await(running, key, valueLoader));
		}
		try {
			long token = token();
			LocalTier.Entry done = (this.local != null) ? this.local.get(id) : null;
			Object store = (done != null) ? done.value() : load(id, key, valueLoader, token);
			mine.complete(store);
			return (T) fromStoreValue(store);
		}
		catch (RuntimeException ex) {
			mine.completeExceptionally(ex);
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
		CompletableFuture<Object> mine = new CompletableFuture<>();
		CompletableFuture<Object> running = this.asyncLoading.putIfAbsent(id, mine);
		if (running != null) {
			return running.thenApply((store) -> (T) fromStoreValue(store));
		}
		long token = token();
		CompletableFuture<Object> remoteValue = (this.remote != null) ? lookupRemoteAsync(id)
				: CompletableFuture.completedFuture(null);
		// The loader may block: never run it on Redis's event loop.
		remoteValue.thenComposeAsync((store) -> {
			if (store != null) {
				return CompletableFuture.completedFuture(store);
			}
			long start = System.nanoTime();
			return valueLoader.get().handle((value, failure) -> {
				this.metrics.load(System.nanoTime() - start, failure == null);
				if (failure != null) {
					throw (failure instanceof CompletionException completion) ? completion
							: new CompletionException(failure);
				}
				Object loaded = storeValueOrSkip(value);
				fill(id, loaded, token, false);
				return (loaded != null) ? loaded : NullValue.INSTANCE;
			});
		}).whenComplete((store, failure) -> {
			this.asyncLoading.remove(id, mine);
			if (failure != null) {
				mine.completeExceptionally(failure);
			}
			else {
				mine.complete(store);
			}
		});
		return mine.thenApply((store) -> (T) fromStoreValue(store));
	}

	@Override
	public void put(Object key, Object value) {
		write(id(key), toStoreValue(value));
	}

	@Override
	public ValueWrapper putIfAbsent(Object key, Object value) {
		String id = id(key);
		Object store = toStoreValue(value);
		if (this.remote != null) {
			long token = token();
			try {
				byte[] previous = setIfAbsentAndAnnounce(id, store);
				if (previous == null) {
					this.metrics.put();
					if (this.local != null) {
						this.local.put(id, localEntry(id, store));
					}
					return null;
				}
				Object existing = decode(id, previous);
				if (existing != null) {
					installLocal(id, existing, token);
					return toValueWrapper(existing);
				}
				// Unreadable bytes were deleted by decode: write ours in their place.
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
		LocalTier.Entry existing = this.local.putIfAbsent(id, localEntry(id, store));
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
		invalidate();
	}

	@Override
	public boolean invalidate() {
		boolean had = false;
		if (this.remote != null) {
			try {
				had = this.remote.deleteMatching(globEscape(this.keyPrefix) + "*") > 0;
				announce(Invalidation.Kind.CLEAR, List.of());
			}
			catch (RuntimeException ex) {
				remoteFailed(null, ex);
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
			remoteFailed(null, ex);
			return result;
		}
		for (int i = 0; i < values.size() && i < missing.size(); i++) {
			String id = id(missing.get(i));
			KeyValue<byte[], byte[]> value = values.get(i);
			Object store = value.hasValue() ? decode(id, value.getValue()) : null;
			this.metrics.get(false, store != null);
			if (store != null) {
				installLocal(id, store, token);
				result.put(missing.get(i), fromStoreValue(store));
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
		if (this.remote != null) {
			List<CompletableFuture<String>> writes = new ArrayList<>();
			stores.forEach((id, store) -> writes.add(this.remote.setAsync(redisKey(id),
					Envelope.wrap(this.settings.codec(), unstore(store)), remoteTtlMillis(id, store))));
			try {
				CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0]))
					.get(this.remote.timeoutMillis() * 2 + 100, TimeUnit.MILLISECONDS);
				announce(Invalidation.Kind.KEYS, List.copyOf(stores.keySet()));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				stores.keySet().forEach((id) -> remoteFailed(id, ex));
			}
			catch (ExecutionException | java.util.concurrent.TimeoutException ex) {
				stores.keySet().forEach((id) -> remoteFailed(id, ex));
			}
		}
		stores.forEach((id, store) -> {
			this.metrics.put();
			if (this.local != null) {
				this.local.put(id, localEntry(id, store));
			}
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
				this.remote.deleteMatching(globEscape(this.keyPrefix) + globOf(pattern));
				announce(Invalidation.Kind.PATTERN, List.of(pattern));
			}
			catch (RuntimeException ex) {
				remoteFailed(null, ex);
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

	void flushLocal(String reason) {
		if (this.local != null) {
			this.local.clear();
			this.metrics.localFlush(reason);
		}
	}

	/**
	 * Redis is back: delete what was written only locally during the outage, and announce.
	 */
	void recover() {
		if (this.remote == null) {
			return;
		}
		if (this.unsyncedOverflow.getAndSet(false)) {
			this.unsynced.clear();
			try {
				this.remote.deleteMatching(globEscape(this.keyPrefix) + "*");
				announce(Invalidation.Kind.CLEAR, List.of());
			}
			catch (RuntimeException ex) {
				this.unsyncedOverflow.set(true);
			}
			return;
		}
		for (String id : List.copyOf(this.unsynced)) {
			try {
				deleteAndAnnounce(id);
				this.unsynced.remove(id);
			}
			catch (RuntimeException ex) {
				return;
			}
		}
	}

	CacheStatisticsSnapshot.CacheView view() {
		return new CacheStatisticsSnapshot.CacheView(this.name, this.settings.mode(), this.settings.ttl().toMillis(),
				this.settings.localTtl().toMillis(), (this.local != null) ? this.local.size() : 0,
				this.settings.localMaxSize(), this.metrics.counts());
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

	private Object lookupRemote(String id) {
		if (this.remote == null) {
			return null;
		}
		long token = token();
		byte[] bytes;
		try {
			bytes = this.remote.get(redisKey(id));
		}
		catch (RuntimeException ex) {
			this.metrics.get(false, false);
			return null;
		}
		return remoteHit(id, bytes, token);
	}

	private CompletableFuture<Object> lookupRemoteAsync(String id) {
		long token = token();
		return this.remote.getAsync(redisKey(id))
			.handle((bytes, failure) -> (failure != null) ? remoteHit(id, null, token) : remoteHit(id, bytes, token));
	}

	private Object remoteHit(String id, byte[] bytes, long token) {
		Object store = (bytes != null) ? decode(id, bytes) : null;
		this.metrics.get(false, store != null);
		if (store != null) {
			installLocal(id, store, token);
		}
		return store;
	}

	private Object load(String id, Object key, Callable<?> valueLoader, long token) {
		byte[] leaseKey = null;
		byte[] leaseToken = null;
		if (this.settings.lease() && this.remote != null && this.remote.isAvailable()) {
			leaseKey = ("perfkit:lease:" + this.keyPrefix.substring(this.settings.keyPrefix().length()) + id)
				.getBytes(StandardCharsets.UTF_8);
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
			fill(id, store, token, true);
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
					Object stored = remoteHit(id, this.remote.get(redisKey(id)), token);
					if (stored != null) {
						this.remote.releaseLease(leaseKey, leaseToken);
						return stored;
					}
					return LeaseOutcome.HELD;
				}
				Object stored = remoteHit(id, this.remote.get(redisKey(id)), token);
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
	 * Store a loaded value: Redis with {@code SET NX} (a newer put wins), then the local
	 * tier, both skipped when an invalidation arrived during the load.
	 */
	private void fill(String id, Object store, long token, boolean sync) {
		if (store == null || (this.local != null && this.local.changedSince(id, token))) {
			return;
		}
		if (this.remote != null) {
			byte[] bytes = Envelope.wrap(this.settings.codec(), unstore(store));
			long ttl = remoteTtlMillis(id, store);
			if (sync) {
				try {
					this.remote.setIfAbsent(redisKey(id), bytes, ttl);
				}
				catch (RuntimeException ex) {
					remoteFailed(id, ex);
				}
			}
			else {
				this.remote.setIfAbsentAsync(redisKey(id), bytes, ttl).exceptionally((ex) -> {
					remoteFailed(id, ex);
					return false;
				});
			}
		}
		installLocal(id, store, token);
	}

	private void write(String id, Object store) {
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
		if (this.local != null) {
			this.local.put(id, localEntry(id, store));
		}
		this.metrics.put();
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

	private void installLocal(String id, Object store, long token) {
		if (this.local != null) {
			this.local.putIfUnchanged(id, localEntry(id, store), token);
		}
	}

	private void announce(Invalidation.Kind kind, List<String> keys) {
		if (this.bus != null) {
			this.bus.publish(kind, this.name, keys);
			this.metrics.invalidationSent();
		}
	}

	private void remoteFailed(String id, Throwable ex) {
		logger.debug("perfkit cache '{}' could not reach Redis: {}", this.name, ex.toString());
		if (id == null || this.unsynced.size() >= MAX_UNSYNCED) {
			this.unsyncedOverflow.set(true);
		}
		else {
			this.unsynced.add(id);
		}
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

	private LocalTier.Entry localEntry(String id, Object store) {
		Duration ttl = this.settings.localTtl();
		Duration own = (store == NullValue.INSTANCE) ? this.settings.nullTtl() : entryTtl(id, store);
		if (own != null && own.compareTo(ttl) < 0) {
			ttl = own;
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
