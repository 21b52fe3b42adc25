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

	CompletableFuture<Object> lookupRemoteAsync(String id) {
		long token = token();
		return this.remote.getWithTtlAsync(redisKey(id))
			.handle((found, failure) -> remoteHit(id, (failure != null) ? null : found, token));
	}

	Object remoteHit(String id, RemoteTier.Timed found, long token) {
		byte[] bytes = (found != null) ? found.bytes() : null;
		Object store = (bytes != null && !RemoteTier.isFence(bytes)) ? decode(id, bytes) : null;
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
			this.local.putIfUnchanged(id, localEntry(id, store, remainingMillis), token);
		}
	}

	/**
	 * Install this instance's own written value unless another instance's invalidation
	 * arrived since the token, stamping the key so that a copy read from Redis before the
	 * write (or a load begun before it) cannot land over it afterwards.
	 */
	void installOwn(String id, Object store, long token) {
		if (this.local != null) {
			this.local.putOwnIfUnchanged(id, localEntry(id, store, -1), token);
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

	LocalTier.Entry localEntry(String id, Object store, long remainingMillis) {
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
		return (jitter > 0) ? millis + ThreadLocalRandom.current().nextLong(jitter + 1) : millis;
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
