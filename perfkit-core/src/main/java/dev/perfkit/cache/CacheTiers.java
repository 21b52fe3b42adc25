package dev.perfkit.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.cache.support.NullValue;

/**
 * One cache's two tiers as every part of {@link TwoTierCache} uses them: an entry's Redis
 * key, its envelope and TTLs, reads through both tiers, and the local installs that an
 * invalidation must be able to beat. The parts built on it: {@link LoadCoordinator}
 * (loads and their fills), {@link CacheWriter} (writes and their announcements) and
 * {@link Reconciler} (what an outage left to do).
 * <p>
 * <b>Implementation note: what races, and who wins.</b>
 * <ul>
 * <li><b>A copy from Redis against a write.</b> A read takes a local token before it asks
 * Redis, and its copy is installed ({@link #installLocal}) only if, inside the key's
 * compute, no tombstone newer than the token exists (see {@link LocalTier}). An
 * invalidation message that arrives before the install rejects it; one that arrives after
 * removes it. The write wins.</li>
 * <li><b>A copy against expiry in Redis.</b> A copy is kept for at most the remaining TTL
 * Redis reported with the value ({@code -2}, the key is gone: nothing is installed), so a
 * copy never outlives the entry it was copied from. That is why a fill, which replaces a
 * fence marker and no entry, need announce nothing.</li>
 * <li><b>The writer's own install against an older copy.</b> {@link #installOwn} installs
 * the written value only if the key did not change since the writer's token (taken after
 * it dropped its own copy), so an invalidation from another instance that arrived
 * meanwhile, maybe of a newer write, leaves a miss, which is always safe; and it stamps
 * the key, so a copy this instance read from Redis just before the write (or a load begun
 * before it) cannot land over it just after. The write wins.</li>
 * <li><b>Freshness.</b> With stale-if-error an entry stays in Redis the window longer
 * than its TTL and reads as a miss for that stretch ({@link #logicallyExpired}); with
 * refresh-ahead a copy ends where the entry is due for refresh, so a read past it asks
 * Redis and learns it is due ({@link #refreshDue}). Either way a local copy never lives
 * past what Redis's PTTL allows.</li>
 * <li>A load's fence marker in Redis reads as a miss. Bytes in Redis that do not decode
 * are a miss: counted, deleted, never thrown.</li>
 * </ul>
 */
final class CacheTiers {

	// The category stays TwoTierCache's, where users already turn its debug logging on.
	private static final Logger logger = LoggerFactory.getLogger(TwoTierCache.class);

	private final String name;

	private final CacheSettings settings;

	private final LocalTier local;

	private final RemoteTier remote;

	private final InvalidationBus bus;

	private final CacheMetrics metrics;

	private final String keyPrefix;

	private final byte[] keyPrefixBytes;

	CacheTiers(String name, CacheSettings settings, RemoteTier remote, InvalidationBus bus, CacheMetrics metrics) {
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

	String name() {
		return this.name;
	}

	CacheSettings settings() {
		return this.settings;
	}

	/**
	 * Return the local tier, or {@code null} for a remote-only cache.
	 */
	LocalTier local() {
		return this.local;
	}

	/**
	 * Return the Redis tier, or {@code null} for a local-only cache.
	 */
	RemoteTier remote() {
		return this.remote;
	}

	/**
	 * Return the invalidation channel, or {@code null} when there is no local tier to keep
	 * coherent.
	 */
	InvalidationBus bus() {
		return this.bus;
	}

	CacheMetrics metrics() {
		return this.metrics;
	}

	/**
	 * Return what every Redis key of this cache starts with: the key prefix, the cache's
	 * name and a colon.
	 */
	String keyPrefix() {
		return this.keyPrefix;
	}

	Object lookupLocal(String id) {
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
	Object lookupRemote(String id) {
		return lookupRemote(id, null);
	}

	/**
	 * Like {@link #lookupRemote(String)}, and on a hit past the refresh-ahead threshold
	 * also run {@code onRefreshDue} (given the entry's bytes and remaining PTTL).
	 */
	Object lookupRemote(String id, RefreshDue onRefreshDue) {
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
		Object store = remoteHit(id, found, token);
		if (store != null && onRefreshDue != null && refreshDue(id, store, found.ttlMillis())) {
			onRefreshDue.due(found.bytes(), found.ttlMillis());
		}
		return store;
	}

	/**
	 * Called on a hit past the refresh-ahead threshold.
	 */
	@FunctionalInterface
	interface RefreshDue {

		void due(byte[] bytes, long remainingMillis);

	}

	CompletableFuture<Object> lookupRemoteAsync(String id) {
		return lookupRemoteAsync(id, null);
	}

	/**
	 * Like {@link #lookupRemoteAsync(String)}, and on a hit past the refresh-ahead
	 * threshold also run {@code onRefreshDue}, which must not block (it runs on Redis's
	 * event loop).
	 */
	CompletableFuture<Object> lookupRemoteAsync(String id, RefreshDue onRefreshDue) {
		long token = token();
		return this.remote.getWithTtlAsync(redisKey(id)).handle((found, failure) -> {
			Object store = remoteHit(id, (failure != null) ? null : found, token);
			if (store != null && onRefreshDue != null && refreshDue(id, store, found.ttlMillis())) {
				onRefreshDue.due(found.bytes(), found.ttlMillis());
			}
			return store;
		});
	}

	Object remoteHit(String id, RemoteTier.Timed found, long token) {
		byte[] bytes = (found != null) ? found.bytes() : null;
		Object store = (bytes != null && !RemoteTier.isFence(bytes) && !logicallyExpired(found.ttlMillis()))
				? decode(id, bytes) : null;
		this.metrics.get(false, store != null);
		if (store != null) {
			installLocal(id, store, token, found.ttlMillis());
		}
		return store;
	}

	boolean changedSince(String id, long token) {
		return this.local != null && this.local.changedSince(id, token);
	}

	/**
	 * Install a value locally unless the key changed since the token, for at most the
	 * remaining TTL in Redis when it is known ({@code remainingMillis >= 0}), so a copy
	 * never outlives the entry it was copied from; {@code -2} (Redis no longer had the
	 * key) installs nothing.
	 */
	void installLocal(String id, Object store, long token, long remainingMillis) {
		if (this.local != null && remainingMillis != -2) {
			LocalTier.Entry entry = localEntry(id, store, remainingMillis);
			if (entry != null) {
				this.local.putIfUnchanged(id, entry, token);
			}
		}
	}

	/**
	 * Install this instance's own written value unless another instance's invalidation
	 * arrived since the token, stamping the key so that a copy read from Redis before the
	 * write (or a load begun before it) cannot land over it afterwards.
	 */
	void installOwn(String id, Object store, long token) {
		LocalTier.Entry entry = (this.local != null) ? localEntry(id, store, -1) : null;
		if (entry != null) {
			this.local.putOwnIfUnchanged(id, entry, token);
		}
	}

	Object decode(String id, byte[] bytes) {
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

	static Object unstore(Object store) {
		return (store == NullValue.INSTANCE) ? null : store;
	}

	long token() {
		return (this.local != null) ? this.local.token() : 0;
	}

	/**
	 * A local copy's entry, or {@code null} when none may be kept: it lives no longer than
	 * the local TTL, the entry's own TTL, and what is left of the entry in Redis
	 * ({@code remainingMillis}, {@code -1} for a value just written). With stale-if-error,
	 * what is left stops where the entry logically expires; with refresh-ahead, where it
	 * is due for refresh, so that a read past that point goes to Redis, which tells how
	 * much is left (see {@link #refreshDue}).
	 */
	LocalTier.Entry localEntry(String id, Object store, long remainingMillis) {
		Duration ttl = this.settings.localTtl();
		Duration own = (store == NullValue.INSTANCE) ? this.settings.nullTtl() : entryTtl(id, store);
		if (own != null && own.compareTo(ttl) < 0) {
			ttl = own;
		}
		long left = -1;
		if (remainingMillis >= 0) {
			left = remainingMillis - staleMillis() - refreshMarginMillis(id, store);
			if (left <= 0 && (staleMillis() > 0 || refreshMarginMillis(id, store) > 0)) {
				return null;
			}
			left = Math.max(1, left);
		}
		else if (this.settings.freshness().refreshAheadEnabled()) {
			left = Math.max(1, logicalTtlMillis(id, store) - refreshMarginMillis(id, store));
		}
		if (left >= 0 && left < ttl.toMillis()) {
			ttl = Duration.ofMillis(left);
		}
		return LocalTier.Entry.of(store, ttl, this.settings.localTtl());
	}

	// Freshness: stale-if-error and refresh-ahead (issue 15).

	/**
	 * Return the stale-if-error window in milliseconds, {@code 0} when off: entries live
	 * that much longer in Redis than their TTL, and read as expired for that last stretch.
	 */
	long staleMillis() {
		return this.settings.freshness().staleIfError().toMillis();
	}

	/**
	 * Return whether an entry with this much left in Redis is past its logical TTL (only
	 * with stale-if-error: it is kept for the window after it, for a failing loader).
	 */
	boolean logicallyExpired(long remainingMillis) {
		long window = staleMillis();
		return window > 0 && remainingMillis >= 0 && remainingMillis <= window;
	}

	/**
	 * Return the entry's remote TTL without jitter or stale-if-error window: what its
	 * refresh-ahead threshold is a fraction of.
	 */
	long logicalTtlMillis(String id, Object store) {
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
		return Math.max(1, ttl.toMillis());
	}

	/**
	 * Return how long before its logical expiry an entry is due for refresh, {@code 0}
	 * when refresh-ahead is off: with {@code refresh-ahead: 80%}, the last 20% of its TTL.
	 */
	long refreshMarginMillis(String id, Object store) {
		double fraction = this.settings.freshness().refreshAhead();
		return (fraction > 0) ? (long) ((1 - fraction) * logicalTtlMillis(id, store)) : 0;
	}

	/**
	 * Return whether an entry with this much left in Redis is past its refresh-ahead
	 * threshold and not yet logically expired.
	 */
	boolean refreshDue(String id, Object store, long remainingMillis) {
		if (!this.settings.freshness().refreshAheadEnabled() || remainingMillis < 0) {
			return false;
		}
		long left = remainingMillis - staleMillis();
		return left > 0 && left <= refreshMarginMillis(id, store);
	}

	Duration entryTtl(String id, Object store) {
		if (this.settings.entryTtl() == null) {
			return null;
		}
		Duration chosen = this.settings.entryTtl().ttl(id, store);
		return (chosen != null && !chosen.isNegative() && !chosen.isZero()) ? chosen : null;
	}

	long remoteTtlMillis(String id, Object store) {
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
		// With stale-if-error the entry stays the window longer, read as expired (see
		// logicallyExpired), for a loader that fails.
		return ((jitter > 0) ? millis + ThreadLocalRandom.current().nextLong(jitter + 1) : millis) + staleMillis();
	}

	byte[] redisKey(String id) {
		// Prefix bytes are encoded once; only the id is encoded per call, with no
		// intermediate concatenated String.
		byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
		byte[] key = Arrays.copyOf(this.keyPrefixBytes, this.keyPrefixBytes.length + idBytes.length);
		System.arraycopy(idBytes, 0, key, this.keyPrefixBytes.length, idBytes.length);
		return key;
	}

	static String globEscape(String literal) {
		StringBuilder escaped = new StringBuilder(literal.length());
		for (char c : literal.toCharArray()) {
			if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
				escaped.append('\\');
			}
			escaped.append(c);
		}
		return escaped.toString();
	}

	static String globOf(String pattern) {
		StringBuilder glob = new StringBuilder(pattern.length());
		for (char c : pattern.toCharArray()) {
			if (c == '[' || c == ']' || c == '\\') {
				glob.append('\\');
			}
			glob.append(c);
		}
		return glob.toString();
	}

	static Pattern regexOf(String pattern) {
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
