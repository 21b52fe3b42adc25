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
	private static final Script SET_AND_PUBLISH = new Script(ScriptOutputType.INTEGER,
			"redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) "
					+ "return redis.call('publish', ARGV[3], ARGV[4])");

	/**
	 * Deletes an entry, then announces it, whether or not Redis still held it: another
	 * instance may keep a local copy of an entry that Redis already let expire, and only
	 * the message drops it. Returns how many keys were deleted (0 or 1). Cluster-safe like
	 * {@link #SET_AND_PUBLISH}.
	 */
	private static final Script UNLINK_AND_PUBLISH = new Script(ScriptOutputType.INTEGER,
			"local deleted = redis.call('unlink', KEYS[1]) "
					+ "redis.call('publish', ARGV[1], ARGV[2]) "
					+ "return deleted");

	/**
	 * Writes an entry only when it is absent ({@code SET NX GET}, Redis 7) and returns what
	 * was there. The invalidation (ARGV[4]) is published only when the write happened;
	 * otherwise the filler (ARGV[5], same sequence number, no keys) is, so the sender's
	 * numbering stays gap-free for the receivers while no local copy is dropped for a
	 * write that did not happen. Cluster-safe like {@link #SET_AND_PUBLISH}.
	 */
	private static final Script SET_IF_ABSENT_AND_PUBLISH = new Script(ScriptOutputType.VALUE,
			"local present = redis.call('set', KEYS[1], ARGV[1], 'NX', 'GET', 'PX', ARGV[2]) "
					+ "if present then redis.call('publish', ARGV[3], ARGV[5]) return present end "
					+ "redis.call('publish', ARGV[3], ARGV[4]) "
					+ "return false");

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
	 * ({@code EVALSHA}); wait for it with {@link #await(ScriptCall)}.
	 */
	ScriptCall<Long> setAndPublish(byte[] key, byte[] value, long ttlMillis, byte[] channel, byte[] message) {
		return send(SET_AND_PUBLISH, key, value, ttl(ttlMillis), channel, message);
	}

	/**
	 * Queue a delete that also publishes an invalidation, whether or not the key was
	 * present, in one round trip; wait for it with {@link #await(ScriptCall)}, which
	 * returns how many keys were deleted.
	 */
	ScriptCall<Long> deleteAndPublish(byte[] key, byte[] channel, byte[] message) {
		return send(UNLINK_AND_PUBLISH, key, channel, message);
	}

	/**
	 * Queue a write-if-absent that publishes {@code message} when it wrote and
	 * {@code otherwise} when the key was present, in one round trip; wait for it with
	 * {@link #await(ScriptCall)}, which returns the present value, or {@code null} when
	 * this value was written.
	 */
	ScriptCall<byte[]> setIfAbsentAndPublish(byte[] key, byte[] value, long ttlMillis, byte[] channel,
			byte[] message, byte[] otherwise) {
		return send(SET_IF_ABSENT_AND_PUBLISH, key, value, ttl(ttlMillis), channel, message, otherwise);
	}

	/**
	 * Wait for a script call started by {@link #setAndPublish}, {@link #deleteAndPublish}
	 * or {@link #setIfAbsentAndPublish}. When the server does not know the script yet
	 * (after a restart, a failover or {@code SCRIPT FLUSH}) it answers {@code NOSCRIPT},
	 * having run nothing, and the same call (same message, same sequence number) is sent
	 * once more with {@code EVAL}.
	 * @param <T> the reply type
	 * @param pending the queued call
	 * @return the script's reply
	 */
	<T> T await(ScriptCall<T> pending) {
		try {
			try {
				return this.connector.await(pending.reply());
			}
			catch (RedisNoScriptException ex) {
				Script script = pending.script();
				return this.connector.executeSync(
						(api) -> api.<T>eval(script.body(), script.output(), pending.keys(), pending.args()));
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
	 * Queue {@code EVALSHA} of a script with one key, without waiting, so that the caller
	 * can queue it under the invalidation bus's lock and wait outside it.
	 */
	private <T> ScriptCall<T> send(Script script, byte[] key, byte[]... args) {
		byte[][] keys = { key };
		long start = System.nanoTime();
		try {
			RedisFuture<T> reply = this.connector
				.send((api) -> api.<T>evalsha(script.sha(), script.output(), keys, args));
			return new ScriptCall<>(script, reply, keys, args, start);
		}
		catch (RuntimeException ex) {
			// Counted like a command that failed at once in sync().
			this.metrics.remoteError();
			this.metrics.remoteLatency(System.nanoTime() - start);
			throw ex;
		}
	}

	private static byte[] ttl(long ttlMillis) {
		return Long.toString(ttlMillis).getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * A Lua script, its SHA-1 for {@code EVALSHA} and the type of its reply.
	 */
	record Script(ScriptOutputType output, byte[] body, String sha) {

		Script(ScriptOutputType output, String body) {
			this(output, body.getBytes(StandardCharsets.UTF_8), sha1(body.getBytes(StandardCharsets.UTF_8)));
		}

	}

	/**
	 * A queued {@code EVALSHA} and what its {@code EVAL} fallback needs.
	 * @param <T> the reply type
	 */
	record ScriptCall<T>(Script script, RedisFuture<T> reply, byte[][] keys, byte[][] args, long start) {
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
