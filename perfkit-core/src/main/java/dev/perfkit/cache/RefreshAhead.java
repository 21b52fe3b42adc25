package dev.perfkit.cache;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cache's refresh-ahead: a hit on an entry past the threshold ({@code refresh-ahead:
 * 80%} of its remote TTL) returns the current value at once and hands the reload to a
 * background thread; at most one instance of all reloads it, and its value is written
 * like any write, fenced and announced.
 * <p>
 * <b>Implementation note: what races, and who wins.</b>
 * <ul>
 * <li><b>Which hits see the threshold.</b> Only Redis knows an entry's age (its PTTL,
 * read with every GET). So local copies live no longer than the threshold (see
 * {@link CacheTiers#localEntry}); a read past it goes to Redis, which tells. Only reads
 * that carry a loader can refresh: {@code get(key, Callable)} and
 * {@code retrieve(key, Supplier)}, that is {@code @Cacheable(sync = true)}; an async
 * loader's future is waited for on this class's own threads, never on Redis's event
 * loop.</li>
 * <li><b>One reload per instance.</b> An id is claimed in {@code attempts} before its
 * reload is queued; further hits on this instance do nothing until the reload ends, or,
 * when another instance held the lease, until that lease would have expired.</li>
 * <li><b>One reload across instances.</b> The reload takes a lease ({@code SET NX PX
 * lease.ttl} on {@code <key-prefix>refresh:<cache>:<key>}); without it, it is skipped.
 * With it, it reads the entry again: if the entry is no longer due (another instance
 * refreshed it just before), it is skipped too. So the loader runs once per refresh.</li>
 * <li><b>Reload against write.</b> The reload may read the data before a write that
 * overtakes it. Its value is written only if the entry in Redis is still the one it read
 * again: the same bytes, and a PTTL no higher than then (PTTL only falls until a write
 * resets it to at least the TTL). A write in between, on any instance, leaves the reload
 * without effect; so does an evict (the key is gone). This holds while the reload takes
 * less than the refresh window after the threshold minus the time already in it; a
 * reload slower than half the window is therefore dropped, unwritten. The write
 * wins. (The guard counts the reload's time before its script is sent; a script that
 * timed out on a stalled master and runs when it resumes is still refused after any
 * write, since a write changes the bytes or raises the PTTL. Only an evict, a reload of
 * the very same bytes and a stall of most of the window in between would pass it.)</li>
 * <li><b>Every instance sees it.</b> The write publishes an invalidation like a
 * {@code put}; the others drop their copies and read the new entry from Redis.</li>
 * <li><b>Bounded.</b> Reloads run on {@value #THREADS} daemon threads per cache with a
 * queue of {@value #QUEUE} ids; a hit that finds the queue full is counted ({@code busy})
 * and the entry is tried again by a later hit.</li>
 * </ul>
 */
final class RefreshAhead {

	// The category stays TwoTierCache's, where users already turn its debug logging on.
	private static final Logger logger = LoggerFactory.getLogger(TwoTierCache.class);

	static final int THREADS = 2;

	static final int QUEUE = 256;

	/** Beyond this many remembered ids, expired claims are swept on the next claim. */
	private static final int SWEEP_ABOVE = 4096;

	private final CacheTiers tiers;

	private final CacheWriter writer;

	private final TwoTierCache cache;

	private final CacheMetrics metrics;

	/** Ids refreshed or recently tried here: the nano time before which no new attempt starts. */
	private final ConcurrentHashMap<String, Long> attempts = new ConcurrentHashMap<>();

	private final ThreadPoolExecutor executor;

	RefreshAhead(CacheTiers tiers, CacheWriter writer, TwoTierCache cache) {
		this.tiers = tiers;
		this.writer = writer;
		this.cache = cache;
		this.metrics = tiers.metrics();
		AtomicInteger threads = new AtomicInteger();
		this.executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE),
				(task) -> {
					Thread thread = new Thread(task, "perfkit-refresh-" + tiers.name() + "-" + threads.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
		this.executor.allowCoreThreadTimeOut(true);
	}

	/**
	 * A hit found the entry past its threshold: queue one reload, unless one is running or
	 * was tried lately on this instance. Never blocks the caller.
	 */
	void due(String id, Object key, Callable<?> loader) {
		long now = System.nanoTime();
		long hold = now + this.tiers.settings().leaseTtl().toNanos();
		boolean[] claimed = { false };
		this.attempts.compute(id, (ignored, until) -> {
			if (until != null && now - until < 0) {
				return until;
			}
			claimed[0] = true;
			return hold;
		});
		if (!claimed[0]) {
			return;
		}
		if (this.attempts.size() > SWEEP_ABOVE) {
			this.attempts.values().removeIf((until) -> now - until >= 0);
		}
		try {
			this.executor.execute(() -> reload(id, key, loader));
		}
		catch (RejectedExecutionException ex) {
			this.attempts.remove(id, hold);
			this.metrics.refreshBusy();
		}
	}

	void close() {
		this.executor.shutdownNow();
	}

	private void reload(String id, Object key, Callable<?> loader) {
		RemoteTier remote = this.tiers.remote();
		byte[] leaseKey = (this.tiers.settings().keyPrefix() + "refresh:" + this.tiers.name() + ":" + id)
			.getBytes(StandardCharsets.UTF_8);
		byte[] leaseToken = Long.toHexString(ThreadLocalRandom.current().nextLong())
			.getBytes(StandardCharsets.US_ASCII);
		boolean done = false;
		try {
			if (!remote.acquireLease(leaseKey, leaseToken, this.tiers.settings().leaseTtl().toMillis())) {
				// Another instance refreshes it: try again here only once that lease would have
				// expired (the claim's hold), in case its holder died.
				this.metrics.refreshSkipped();
				return;
			}
			try {
				done = reloadHolding(id, key, loader, remote);
			}
			finally {
				remote.releaseLease(leaseKey, leaseToken);
			}
		}
		catch (RuntimeException ex) {
			// Redis failed: the entry expires and loads as usual.
			logger.debug("perfkit cache '{}' could not refresh an entry: {}", this.tiers.name(), ex.toString());
		}
		finally {
			if (done) {
				this.attempts.remove(id);
			}
		}
	}

	/**
	 * Reload under the lease.
	 * @return whether another hit may try again at once
	 */
	private boolean reloadHolding(String id, Object key, Callable<?> loader, RemoteTier remote) {
		long start = System.nanoTime();
		RemoteTier.Timed current = remote.getWithTtl(this.tiers.redisKey(id));
		Object present = (current != null && !RemoteTier.isFence(current.bytes()))
				? this.tiers.decode(id, current.bytes()) : null;
		if (present == null || !this.tiers.refreshDue(id, present, current.ttlMillis())) {
			// Gone, or refreshed by another instance just before we took the lease.
			this.metrics.refreshSkipped();
			return true;
		}
		this.metrics.refreshStarted();
		Object store;
		try {
			store = this.cache.storeValueOrSkip(loader.call());
			this.metrics.load(System.nanoTime() - start, true);
		}
		catch (Exception ex) {
			this.metrics.load(System.nanoTime() - start, false);
			this.metrics.refreshFailed();
			// Keep the claim until it expires: a failing loader is not retried on every hit.
			return false;
		}
		if (store == null) {
			this.metrics.refreshCompleted();
			return true;
		}
		long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		if (elapsedMillis * 2 >= this.tiers.refreshMarginMillis(id, present)) {
			// Too slow to prove by PTTL that no write came in between: drop it.
			this.metrics.refreshOvertaken();
			return true;
		}
		boolean wrote;
		try {
			wrote = this.writer.refresh(id, current.bytes(), current.ttlMillis(), store);
		}
		catch (RuntimeException ex) {
			this.metrics.refreshFailed();
			return true;
		}
		if (wrote) {
			this.metrics.refreshCompleted();
		}
		else {
			this.metrics.refreshOvertaken();
		}
		return true;
	}

}
