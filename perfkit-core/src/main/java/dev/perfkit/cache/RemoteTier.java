package dev.perfkit.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import dev.perfkit.redis.RedisConnector;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

/**
 * One cache's view of Redis: one key per entry, each with a TTL, every call timed and
 * failures counted. Calls go through the shared {@link RedisConnector}, so they fail
 * fast with {@code RedisUnavailableException} while Redis is down.
 */
final class RemoteTier {

	private static final int SCAN_BATCH = 500;

	/** Frees a lease only if it still holds this holder's token. */
	private static final byte[] RELEASE = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
			+ "return redis.call('del', KEYS[1]) else return 0 end").getBytes(StandardCharsets.UTF_8);

	/**
	 * Writes an entry, then announces it. Inside one script the PUBLISH runs only after the
	 * SET succeeded, so an instance never hears of a write Redis does not hold, and the
	 * whole put costs one round trip. The channel is not a key: classic pub/sub is
	 * cluster-wide, so the script may run on whichever master owns the entry's slot.
	 */
	private static final byte[] SET_AND_PUBLISH = ("redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) "
			+ "return redis.call('publish', ARGV[3], ARGV[4])").getBytes(StandardCharsets.UTF_8);

	private static final String SET_AND_PUBLISH_SHA = sha1(SET_AND_PUBLISH);

	private final RedisConnector connector;

	private final CacheMetrics metrics;

	RemoteTier(RedisConnector connector, CacheMetrics metrics) {
		this.connector = connector;
		this.metrics = metrics;
	}

	boolean isAvailable() {
		return this.connector.isAvailable();
	}

	byte[] get(byte[] key) {
		return sync((api) -> api.get(key));
	}

	CompletableFuture<byte[]> getAsync(byte[] key) {
		return async((api) -> api.get(key));
	}

	List<KeyValue<byte[], byte[]>> getAll(byte[][] keys) {
		return sync((api) -> api.mget(keys));
	}

	void set(byte[] key, byte[] value, long ttlMillis) {
		sync((api) -> api.set(key, value, SetArgs.Builder.px(ttlMillis)));
	}

	CompletableFuture<String> setAsync(byte[] key, byte[] value, long ttlMillis) {
		return async((api) -> api.set(key, value, SetArgs.Builder.px(ttlMillis)));
	}

	/**
	 * Queue a write that also publishes an invalidation, in one round trip
	 * ({@code EVALSHA}); wait for it with {@link #awaitSetAndPublish}.
	 */
	SetAndPublish setAndPublish(byte[] key, byte[] value, long ttlMillis, byte[] channel, byte[] message) {
		byte[][] keys = { key };
		byte[] ttl = Long.toString(ttlMillis).getBytes(StandardCharsets.US_ASCII);
		long start = System.nanoTime();
		try {
			RedisFuture<Long> reply = this.connector.send((api) -> api.evalsha(SET_AND_PUBLISH_SHA,
					ScriptOutputType.INTEGER, keys, value, ttl, channel, message));
			return new SetAndPublish(reply, keys, new byte[][] { value, ttl, channel, message }, start);
		}
		catch (RuntimeException ex) {
			this.metrics.remoteError();
			throw ex;
		}
	}

	/**
	 * Wait for a write started by {@link #setAndPublish}. When the server does not know the
	 * script yet (after a restart, a failover or {@code SCRIPT FLUSH}) it answers
	 * {@code NOSCRIPT}, and the same call is sent once more with {@code EVAL}.
	 */
	void awaitSetAndPublish(SetAndPublish pending) {
		try {
			try {
				this.connector.await(pending.reply());
			}
			catch (RedisNoScriptException ex) {
				this.connector.executeSync((api) -> api.<Long>eval(SET_AND_PUBLISH, ScriptOutputType.INTEGER,
						pending.keys(), pending.args()));
			}
		}
		catch (RuntimeException ex) {
			this.metrics.remoteError();
			throw ex;
		}
		finally {
			this.metrics.remoteLatency(System.nanoTime() - pending.start());
		}
	}

	/**
	 * A queued {@code EVALSHA} and what its {@code EVAL} fallback needs.
	 */
	record SetAndPublish(RedisFuture<Long> reply, byte[][] keys, byte[][] args, long start) {
	}

	boolean setIfAbsent(byte[] key, byte[] value, long ttlMillis) {
		return "OK".equals(sync((api) -> api.set(key, value, SetArgs.Builder.nx().px(ttlMillis))));
	}

	CompletableFuture<Boolean> setIfAbsentAsync(byte[] key, byte[] value, long ttlMillis) {
		return async((api) -> api.set(key, value, SetArgs.Builder.nx().px(ttlMillis))).thenApply("OK"::equals);
	}

	void deleteAsync(byte[] key) {
		async((api) -> api.unlink(key));
	}

	long timeoutMillis() {
		return this.connector.settings().commandTimeout().toMillis();
	}

	/**
	 * Set when absent; return the present value otherwise (Redis 7 {@code SET NX GET}).
	 */
	byte[] setIfAbsentGet(byte[] key, byte[] value, long ttlMillis) {
		return sync((api) -> api.setGet(key, value, SetArgs.Builder.nx().px(ttlMillis)));
	}

	long delete(byte[]... keys) {
		Long deleted = sync((api) -> api.unlink(keys));
		return (deleted != null) ? deleted : 0;
	}

	/**
	 * Delete every key that matches, with SCAN and UNLINK in batches. On a cluster the
	 * connection's SCAN walks every master in turn and UNLINK is split by slot, so the
	 * whole keyspace is covered; KEYS is never used.
	 * @return how many keys were deleted
	 */
	long deleteMatching(String pattern) {
		ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_BATCH);
		long deleted = 0;
		ScanCursor cursor = ScanCursor.INITIAL;
		do {
			ScanCursor from = cursor;
			KeyScanCursor<byte[]> page = sync((api) -> api.scan(from, args));
			List<byte[]> keys = page.getKeys();
			if (!keys.isEmpty()) {
				deleted += delete(keys.toArray(new byte[0][]));
			}
			cursor = page;
		}
		while (!cursor.isFinished());
		return deleted;
	}

	boolean acquireLease(byte[] key, byte[] token, long ttlMillis) {
		return setIfAbsent(key, token, ttlMillis);
	}

	void releaseLease(byte[] key, byte[] token) {
		async((api) -> api.<Long>eval(RELEASE, ScriptOutputType.INTEGER, new byte[][] { key }, token));
	}

	CompletableFuture<Long> publish(byte[] channel, byte[] message) {
		return async((api) -> api.publish(channel, message));
	}

	private <T> T sync(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
		long start = System.nanoTime();
		try {
			return this.connector.executeSync(command);
		}
		catch (RuntimeException ex) {
			this.metrics.remoteError();
			throw ex;
		}
		finally {
			this.metrics.remoteLatency(System.nanoTime() - start);
		}
	}

	private <T> CompletableFuture<T> async(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
		long start = System.nanoTime();
		return this.connector.execute(command).whenComplete((value, failure) -> {
			this.metrics.remoteLatency(System.nanoTime() - start);
			if (failure != null) {
				this.metrics.remoteError();
			}
		});
	}

	private static String sha1(byte[] script) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static List<byte[]> keys(List<String> keys) {
		List<byte[]> bytes = new ArrayList<>(keys.size());
		keys.forEach((key) -> bytes.add(key.getBytes(StandardCharsets.UTF_8)));
		return bytes;
	}

}
