package dev.perfkit.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cache's writes and their announcements: {@code put} (a {@code @CachePut}),
 * {@code putIfAbsent}, {@code evict}, {@code clear}, batch puts and pattern evictions,
 * each in Redis, in this instance's local tier, and in an invalidation message to the
 * other instances.
 * <p>
 * <b>Implementation note: what races, and who wins.</b>
 * <ul>
 * <li><b>Write against a load, in Redis.</b> Every write of a key removes a load's fence
 * marker: {@code SET}, {@code UNLINK}, a {@code putIfAbsent} that finds a marker (it
 * writes over it), and the {@code SCAN} of a clear or pattern eviction, which covers
 * markers too. So a load that any write overtook, on any instance, never fills (see
 * {@link LoadCoordinator}). The write wins.</li>
 * <li><b>Writer's own install.</b> {@code put} and {@code putAll} drop the local copy
 * before writing (loads in flight here lose); a written {@code putIfAbsent} does not drop
 * it first (the key held no entry in Redis, so a local copy is at most a load's, which
 * its stamped install then replaces). Each installs its value after Redis acknowledged
 * only if no other instance's invalidation arrived meanwhile (else the key
 * is dropped locally, with any copy of the older value a reader here took meanwhile): that write may be newer, and a miss is always safe. The install
 * stamps the key, so a copy this instance read from Redis just before the write cannot
 * land over it just after ({@link CacheTiers#installOwn}).</li>
 * <li><b>Read-your-writes.</b> Every write waits for Redis before it returns.</li>
 * <li><b>Announcements.</b> {@code put}, {@code evict} and {@code putIfAbsent} write and
 * {@code PUBLISH} in one script, so no instance hears of a write Redis does not hold. An
 * evict publishes whether or not Redis held the key, because another instance may keep a
 * copy of an entry whose TTL ran out in Redis, or one written only locally during an
 * outage. A {@code putIfAbsent} that finds an entry publishes a filler of the same number
 * instead, so no receiver sees a gap. {@code clear}, pattern eviction and batch puts touch
 * many keys (on a cluster, several masters): they write, wait, then publish once.</li>
 * <li><b>Redis failures</b> are never the caller's: a write that failed or timed out (its
 * outcome unknown), and an announcement that failed, go to the local tier only and are
 * recorded in the {@link OutageLedger} (a failed clear marks the whole cache), for the
 * {@link Reconciler} to delete from Redis and announce again once Redis answers.</li>
 * </ul>
 */
final class CacheWriter {

	// The category stays TwoTierCache's, where users already turn its debug logging on.
	private static final Logger logger = LoggerFactory.getLogger(TwoTierCache.class);

	private final String name;

	private final CacheSettings settings;

	private final LocalTier local;

	private final RemoteTier remote;

	private final InvalidationBus bus;

	private final CacheMetrics metrics;

	private final String keyPrefix;

	private final CacheTiers tiers;

	private final OutageLedger ledger;

	CacheWriter(CacheTiers tiers, OutageLedger ledger) {
		this.name = tiers.name();
		this.settings = tiers.settings();
		this.local = tiers.local();
		this.remote = tiers.remote();
		this.bus = tiers.bus();
		this.metrics = tiers.metrics();
		this.keyPrefix = tiers.keyPrefix();
		this.tiers = tiers;
		this.ledger = ledger;
	}

	/**
	 * Write this instance's value: drop the local copy first (so loads in flight here
	 * lose), write Redis and announce, then install locally only if no invalidation from
	 * another instance arrived meanwhile (that write may be newer than ours; a miss is
	 * the safe answer).
	 */
	void write(String id, Object store) {
		long token = invalidateLocally(List.of(id));
		if (this.remote != null) {
			try {
				byte[] key = this.tiers.redisKey(id);
				byte[] bytes = Envelope.wrap(this.settings.codec(), CacheTiers.unstore(store));
				long ttl = this.tiers.remoteTtlMillis(id, store);
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
		this.tiers.installOwn(id, store, token);
		this.metrics.put();
	}

	/**
	 * A put that lost its fill (or could not be fenced) may still be a newer write: drop
	 * the key in Redis and on every other instance rather than leave anything older
	 * behind.
	 */
	void dropEverywhereElse(String id) {
		if (this.remote != null) {
			try {
				deleteAndAnnounce(id);
			}
			catch (RuntimeException ex) {
				remoteFailed(id, ex);
			}
		}
	}

	/**
	 * Write a value unless Redis (or, while Redis is away, the local tier) holds an entry
	 * for the key.
	 * @return the store value present, or {@code null} when this one was written
	 */
	Object putIfAbsent(String id, Object store) {
		if (this.remote != null) {
			long token = this.tiers.token();
			try {
				byte[] previous = setIfAbsentAndAnnounce(id, store);
				if (previous == null) {
					this.metrics.put();
					this.tiers.installOwn(id, store, token);
					return null;
				}
				Object existing = RemoteTier.isFence(previous) ? null : this.tiers.decode(id, previous);
				if (existing != null) {
					return existing;
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
		LocalTier.Entry existing = this.local.putIfAbsent(id, this.tiers.localEntry(id, store, -1));
		if (existing == null) {
			this.metrics.put();
			return null;
		}
		return existing.value();
	}

	/**
	 * Evict a key in Redis, on every other instance and locally.
	 * @return whether Redis or the local tier held an entry
	 */
	boolean evictIfPresent(String id) {
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

	/**
	 * Clear this cache in Redis, on every other instance and locally.
	 * @param countEntries whether to find out if Redis held entries (not just loads' fence
	 * markers), at the cost of reading each key before deleting it
	 * @return whether there were entries (in Redis only when counted)
	 */
	boolean invalidate(boolean countEntries) {
		boolean had = false;
		if (this.remote != null) {
			boolean cleared = false;
			try {
				had = this.remote.deleteMatching(CacheTiers.globEscape(this.keyPrefix) + "*", countEntries) > 0;
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
	 * Write many entries: pipelined writes to Redis, one invalidation message for them all.
	 * @param stores the store values by key
	 */
	void putAll(Map<String, Object> stores) {
		long token = invalidateLocally(stores.keySet());
		if (this.remote != null) {
			List<CompletableFuture<String>> writes = new ArrayList<>();
			stores.forEach((id, store) -> writes.add(this.remote.setAsync(this.tiers.redisKey(id),
					Envelope.wrap(this.settings.codec(), CacheTiers.unstore(store)),
					this.tiers.remoteTtlMillis(id, store))));
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
			this.tiers.installOwn(id, store, token);
		});
	}

	/**
	 * Evict every key of this cache that matches a pattern, on every instance: SCAN and
	 * UNLINK in batches on every Redis master, then one message. In the pattern, {@code *}
	 * matches any characters and {@code ?} one; everything else is literal.
	 * @param pattern the pattern, matched against the key's string form
	 */
	void evictMatching(String pattern) {
		if (this.remote != null) {
			try {
				this.remote.deleteMatching(CacheTiers.globEscape(this.keyPrefix) + CacheTiers.globOf(pattern),
						false);
				announceOrRecord(Invalidation.Kind.PATTERN, List.of(pattern));
			}
			catch (RuntimeException ex) {
				this.ledger.recordPattern(pattern);
			}
		}
		if (this.local != null) {
			Pattern regex = CacheTiers.regexOf(pattern);
			this.local.invalidateIf((id) -> regex.matcher(id).matches());
		}
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
	long deleteAndAnnounce(String id) {
		byte[] key = this.tiers.redisKey(id);
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
		byte[] key = this.tiers.redisKey(id);
		byte[] bytes = Envelope.wrap(this.settings.codec(), CacheTiers.unstore(store));
		long ttl = this.tiers.remoteTtlMillis(id, store);
		if (this.bus == null) {
			return this.remote.setIfAbsentGet(key, bytes, ttl);
		}
		byte[] previous = this.remote.await(this.bus.announceIfWritten(this.name, List.of(id),
				(channel, message, filler) -> this.remote.setIfAbsentAndPublish(key, bytes, ttl, channel, message,
						filler, this.tiers.staleMillis())));
		if (previous == null) {
			this.metrics.invalidationSent();
		}
		return previous;
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

	void publishAndWait(Invalidation.Kind kind, List<String> keys) {
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

	/**
	 * Refresh-ahead's write (see {@link RefreshAhead}): replace the entry the refresh read
	 * with the reloaded value, only if no write of the key happened since, announcing it so
	 * every instance drops its copy and reads the new one. Dropping the local copy first
	 * and installing only on success makes it a write like {@link #write} in every other
	 * respect.
	 * @param expected the entry's bytes as the refresh read them
	 * @param expectedTtlMillis its remaining PTTL then
	 * @return whether the value was written
	 */
	boolean refresh(String id, byte[] expected, long expectedTtlMillis, Object store) {
		long token = invalidateLocally(List.of(id));
		byte[] key = this.tiers.redisKey(id);
		byte[] bytes = Envelope.wrap(this.settings.codec(), CacheTiers.unstore(store));
		long ttl = this.tiers.remoteTtlMillis(id, store);
		Long wrote;
		if (this.bus != null) {
			wrote = this.remote.await(this.bus.announceIfWritten(this.name, List.of(id),
					(channel, message, filler) -> this.remote.refreshAndPublish(key, expected, expectedTtlMillis,
							bytes, ttl, channel, message, filler)));
		}
		else {
			wrote = this.remote
				.await(this.remote.refreshAndPublish(key, expected, expectedTtlMillis, bytes, ttl, null, null, null));
		}
		if (wrote == null || wrote != 1) {
			return false;
		}
		if (this.bus != null) {
			this.metrics.invalidationSent();
		}
		this.tiers.installOwn(id, store, token);
		this.metrics.put();
		return true;
	}

	private void remoteFailed(String id, Throwable ex) {
		logger.debug("perfkit cache '{}' could not reach Redis: {}", this.name, ex.toString());
		this.ledger.recordKey(id);
	}

}
