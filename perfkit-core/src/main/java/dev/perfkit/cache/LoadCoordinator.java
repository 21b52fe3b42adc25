package dev.perfkit.cache;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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

import org.springframework.cache.Cache.ValueRetrievalException;
import org.springframework.cache.support.NullValue;

/**
 * One cache's loads: a key that missed in both tiers is loaded once per key on this
 * instance ({@code get(key, Callable)}, {@code @Cacheable(sync = true)}, async
 * {@code retrieve(key, Supplier)}), fenced against every write of the key on any instance,
 * and filled into Redis and the local tier only if no write overtook it. It also keeps the
 * fence of a plain read that missed, for the put of Spring's {@code @Cacheable} without
 * {@code sync} that follows on the same thread.
 * <p>
 * <b>Implementation note: what races, and who wins.</b>
 * <ul>
 * <li><b>Load against write, in Redis.</b> A load takes a fence before it reads the data:
 * the {@code FENCE} script puts a random marker in the entry's own key (or shares the one
 * there, so concurrent loads never starve one another, or returns an entry that appeared).
 * Its fill ({@code FILL}) replaces the marker only if it is still exactly there. Every
 * write of the key removes the marker (see {@link CacheWriter}), so a load that any write
 * overtook, on any instance, never stores its value in Redis. The write wins. A load
 * slower than the marker's TTL ({@code lease.ttl}) returns its value but does not cache
 * it.</li>
 * <li><b>Load against write, locally.</b> A load takes a local token before the fence;
 * the local tier is filled only after a successful fill, and only if, inside the key's
 * compute, no tombstone newer than the token exists (see {@link LocalTier}). An
 * invalidation message that arrives before the install rejects it; one that arrives after
 * removes it. The write wins.</li>
 * <li><b>A fill announces nothing:</b> a key that held a marker held no entry that any
 * instance may keep a copy of, because copies from Redis live no longer than the entry's
 * remaining TTL.</li>
 * <li><b>Joining a load in flight (read-your-writes).</b> One load per key per instance:
 * the first caller runs it and the others wait for it (per key, never the whole cache).
 * A caller joins it only if the key did not change locally since that load began;
 * otherwise the load may be older than a write (perhaps the caller's own), and the caller
 * runs a load of its own. A loader that reads its own key on the same thread fails with
 * an {@code IllegalStateException} instead of waiting for itself.</li>
 * <li><b>{@code @Cacheable} without {@code sync}</b> (read, call, put): the missed read
 * takes the fence and keeps it per thread; the {@code put} of the same key on that thread
 * is its fill. When the fence is gone (or could not be taken) the put evicts the key
 * everywhere, since it may equally be a newer {@code @CachePut} that follows a read whose
 * method threw. A put whose fence was dropped (more than {@value PendingFills#MAX} pending
 * on one thread) is an ordinary write.</li>
 * <li><b>Redis failures.</b> When Redis cannot be asked for a fence, the load fills the
 * local tier only (it alone serves during an outage); a write the load missed is then
 * dropped by its message, or by the flush that follows a lost message. A fill whose
 * outcome is unknown needs no reconciliation: it was fenced.</li>
 * <li><b>Stale-if-error</b> ({@link Freshness#staleIfError()}). A logically expired
 * entry (its PTTL within the window) is a miss; {@code FENCE} puts the marker over it with
 * the old entry as the marker's tail. A loader that succeeds fills as usual; only one
 * that throws returns the tail, and only if Redis still holds exactly that marker (a
 * {@code GET} after the failure) and no invalidation of the key arrived here since the
 * load's token. Every write and evict removes the marker, so neither an evicted key nor
 * one written meanwhile serves a stale value: the write wins. The stale value is never
 * installed locally.</li>
 * <li><b>The lease</b> ({@code lease.enabled}) only spares the loader's work across
 * instances; coherence rests on the fence. The holder loads; the others poll Redis for the
 * value for at most {@code lease.wait} and then load themselves. It is released by a
 * compare-and-delete, so a holder whose lease expired never frees another's.</li>
 * </ul>
 */
final class LoadCoordinator {

	private static final long LEASE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private final String name;

	private final CacheSettings settings;

	private final LocalTier local;

	private final RemoteTier remote;

	private final CacheMetrics metrics;

	private final CacheTiers tiers;

	private final CacheWriter writer;

	private final TwoTierCache cache;

	private final ConcurrentHashMap<String, Flight> loading = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, Flight> asyncLoading = new ConcurrentHashMap<>();

	/**
	 * Create the loads of a cache.
	 * @param tiers the cache's tiers
	 * @param writer its writer, for the put that lost its fill
	 * @param cache the cache, which converts loaded values to store values and keys this
	 * thread's pending fills
	 */
	LoadCoordinator(CacheTiers tiers, CacheWriter writer, TwoTierCache cache) {
		this.name = tiers.name();
		this.settings = tiers.settings();
		this.local = tiers.local();
		this.remote = tiers.remote();
		this.metrics = tiers.metrics();
		this.tiers = tiers;
		this.writer = writer;
		this.cache = cache;
	}

	/**
	 * Spring's {@code @Cacheable} without {@code sync} reads, calls the method, then puts
	 * its result: after that read missed, take the fence now, before the method reads the
	 * data, and keep it for that put ({@link #fillOrDrop}).
	 * @return the value when Redis turned out to hold one, else {@code null}
	 */
	Object fenceForPut(String id) {
		Object found = null;
		Object fenced = fenceOrValue(id);
		if (!(fenced instanceof Fence fence)) {
			found = fenced;
		}
		else {
			PendingFills.remember(this.cache, id, fence);
		}
		return found;
	}

	/**
	 * Load a key that missed in both tiers, once per key on this instance: join the load in
	 * flight unless the key changed locally since it began, else run one.
	 * @return the store value
	 */
	Object get(String id, Object key, Callable<?> valueLoader) {
		Flight mine = new Flight(new CompletableFuture<>(), this.tiers.token(), Thread.currentThread());
		Flight running;
		while ((running = this.loading.putIfAbsent(id, mine)) != null) {
			if (running.thread() == mine.thread()) {
				throw new IllegalStateException("Recursive load of key '" + key + "' in cache '" + this.name
						+ "': the loader reads its own key");
			}
			if (!this.tiers.changedSince(id, running.token())) {
				return await(running.future(), key, valueLoader);
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
			return store;
		}
		catch (RuntimeException ex) {
			mine.future().completeExceptionally(ex);
			throw ex;
		}
		finally {
			this.loading.remove(id, mine);
		}
	}

	/**
	 * Load a key that missed locally, asynchronously, once per key on this instance: join
	 * the load in flight unless the key changed locally since it began, else read Redis and
	 * on a miss run the loader (never on Redis's event loop).
	 * @return the store value, when it is there
	 */
	<T> CompletableFuture<Object> retrieve(String id, Supplier<CompletableFuture<T>> valueLoader) {
		return retrieve(id, valueLoader, null);
	}

	/**
	 * Like {@link #retrieve(String, Supplier)}, and on a Redis hit past the refresh-ahead
	 * threshold also run {@code onRefreshDue} (non-blocking).
	 */
	<T> CompletableFuture<Object> retrieve(String id, Supplier<CompletableFuture<T>> valueLoader,
			CacheTiers.RefreshDue onRefreshDue) {
		Flight mine = new Flight(new CompletableFuture<>(), this.tiers.token(), null);
		Flight running;
		while ((running = this.asyncLoading.putIfAbsent(id, mine)) != null) {
			if (!this.tiers.changedSince(id, running.token())) {
				return running.future();
			}
			if (this.asyncLoading.replace(id, running, mine)) {
				break;
			}
		}
		long token = mine.token();
		CompletableFuture<Object> remoteValue = (this.remote != null)
				? this.tiers.lookupRemoteAsync(id, onRefreshDue) : CompletableFuture.completedFuture(null);
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
					return (failure != null) ? new Failed(failure) : this.cache.storeValueOrSkip(value);
				}).thenCompose((loaded) -> {
					if (loaded instanceof Failed failed) {
						return staleAfterFailureAsync(id, fence, token, failed.cause());
					}
					return (loaded != null) ? fillAsync(id, loaded, fence).thenApply((ignored) -> loaded)
							: CompletableFuture.completedFuture(NullValue.INSTANCE);
				});
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
		return mine.future();
	}

	/**
	 * Take this thread's fence for the key, if its last plain read of it missed.
	 * @return the fence, or {@code null}
	 */
	Fence takePendingFill(String id) {
		return PendingFills.take(this.cache, id);
	}

	/**
	 * The put that follows a plain read that missed (see {@link #fenceForPut}): fill
	 * without announcing if no write of the key happened on any instance since the read;
	 * otherwise, or when Redis could not fence the read, drop the key everywhere, since
	 * the value may be older than that write, or be a newer write itself.
	 */
	void fillOrDrop(String id, Object store, Fence fence) {
		this.metrics.load(System.nanoTime() - fence.start(), true);
		this.metrics.put();
		if (this.remote != null && fence.marker() == null) {
			// No fence (Redis did not answer the read): maybe a newer write, maybe an older
			// load; drop the key in Redis and everywhere (or remember to, while Redis is
			// away), and keep the value locally unless the key changed here meanwhile.
			this.writer.dropEverywhereElse(id);
			this.tiers.installLocal(id, store, fence.token(), -1);
		}
		else if (!fill(id, store, fence)) {
			this.writer.dropEverywhereElse(id);
			if (this.local != null) {
				this.local.invalidate(id);
			}
		}
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
	private Object fenceOrValue(String id) {
		long token = this.tiers.token();
		long start = System.nanoTime();
		if (this.remote == null) {
			return new Fence(null, token, start);
		}
		try {
			byte[] reply = this.remote.fence(this.tiers.redisKey(id), newMarker(),
					this.settings.leaseTtl().toMillis(), this.tiers.staleMillis());
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
		return this.remote
			.fenceAsync(this.tiers.redisKey(id), newMarker(), this.settings.leaseTtl().toMillis(),
					this.tiers.staleMillis())
			.handle((reply, failure) -> (failure != null) ? new Fence(null, token, start)
					: fenced(id, reply, token, start));
	}

	private Object fenced(String id, byte[] reply, long token, long start) {
		if (RemoteTier.isFence(reply)) {
			return new Fence(reply, token, start);
		}
		// Another load filled the key between our read and the fence: take its value (not
		// installed locally, since its remaining TTL is unknown).
		Object store = (reply != null) ? this.tiers.decode(id, reply) : null;
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
			Object fenced = fenceOrValue(id);
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
				Object stale = staleAfterFailure(id, fence, token);
				if (stale != null) {
					this.metrics.staleServed();
					return stale;
				}
				throw new ValueRetrievalException(key, valueLoader, ex);
			}
			Object store = this.cache.storeValueOrSkip(value);
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

	/**
	 * Stale-if-error: the loader threw; return the logically expired entry that the fence
	 * marker carries (see {@code RemoteTier.FENCE}) if the key did not change since, else
	 * {@code null}. Unchanged means: no invalidation of the key reached this instance since
	 * the load's token, and Redis still holds exactly this marker, which every write and
	 * evict of the key on any instance removes; so a key whose last write was an evict
	 * never serves a stale value, and neither does one that a newer value replaced. When
	 * Redis cannot confirm, nothing stale is served.
	 */
	private Object staleAfterFailure(String id, Fence fence, long token) {
		byte[] marker = fence.marker();
		if (marker == null || marker.length <= RemoteTier.MARKER_LENGTH || this.remote == null
				|| this.tiers.changedSince(id, Math.min(token, fence.token()))) {
			return null;
		}
		byte[] key = this.tiers.redisKey(id);
		try {
			if (!java.util.Arrays.equals(this.remote.get(key), marker)) {
				return null;
			}
		}
		catch (RuntimeException ex) {
			return null;
		}
		return this.tiers.decode(id, java.util.Arrays.copyOfRange(marker, RemoteTier.MARKER_LENGTH, marker.length));
	}

	/**
	 * A loader's failure, carried through the async load so it can still turn into a stale
	 * value.
	 */
	private record Failed(Throwable cause) {
	}

	/**
	 * {@link #staleAfterFailure} for async loads: the confirming GET is asynchronous too.
	 * @return the stale store value, or a future failed with the loader's failure
	 */
	private CompletableFuture<Object> staleAfterFailureAsync(String id, Fence fence, long token, Throwable failure) {
		CompletionException thrown = (failure instanceof CompletionException completion) ? completion
				: new CompletionException(failure);
		byte[] marker = fence.marker();
		if (marker == null || marker.length <= RemoteTier.MARKER_LENGTH || this.remote == null
				|| this.tiers.changedSince(id, Math.min(token, fence.token()))) {
			return CompletableFuture.failedFuture(thrown);
		}
		return this.remote.getAsync(this.tiers.redisKey(id)).handle((now, readFailure) -> {
			Object stale = (readFailure == null && java.util.Arrays.equals(now, marker))
					? this.tiers.decode(id,
							java.util.Arrays.copyOfRange(marker, RemoteTier.MARKER_LENGTH, marker.length))
					: null;
			if (stale == null) {
				throw thrown;
			}
			this.metrics.staleServed();
			return stale;
		});
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
					Object stored = this.tiers.lookupRemote(id);
					if (stored != null) {
						this.remote.releaseLease(leaseKey, leaseToken);
						return stored;
					}
					return LeaseOutcome.HELD;
				}
				Object stored = this.tiers.lookupRemote(id);
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
		if (this.tiers.changedSince(id, fence.token())) {
			return false;
		}
		if (this.remote != null) {
			if (fence.marker() == null) {
				// Redis could not be asked for a fence: fill the local tier only (it alone
				// serves during an outage).
				this.tiers.installLocal(id, store, fence.token(), -1);
				return true;
			}
			try {
				if (!this.remote.fill(this.tiers.redisKey(id), fence.marker(),
						Envelope.wrap(this.settings.codec(), CacheTiers.unstore(store)),
						this.tiers.remoteTtlMillis(id, store))) {
					return false;
				}
			}
			catch (RuntimeException ex) {
				// Unknown outcome; a fill that landed was fenced, so nothing to reconcile.
				return false;
			}
		}
		this.tiers.installLocal(id, store, fence.token(), -1);
		return true;
	}

	private CompletableFuture<Void> fillAsync(String id, Object store, Fence fence) {
		if (this.tiers.changedSince(id, fence.token())) {
			return CompletableFuture.completedFuture(null);
		}
		if (this.remote == null || fence.marker() == null) {
			this.tiers.installLocal(id, store, fence.token(), -1);
			return CompletableFuture.completedFuture(null);
		}
		return this.remote
			.fillAsync(this.tiers.redisKey(id), fence.marker(),
					Envelope.wrap(this.settings.codec(), CacheTiers.unstore(store)),
					this.tiers.remoteTtlMillis(id, store))
			.handle((filled, failure) -> {
				if (failure == null && filled) {
					this.tiers.installLocal(id, store, fence.token(), -1);
				}
				return null;
			});
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

}
