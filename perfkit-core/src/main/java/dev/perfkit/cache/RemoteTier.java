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
			"local head = redis.call('getrange', KEYS[1], 0, 0) "
					+ "local deleted = redis.call('unlink', KEYS[1]) "
					+ "redis.call('publish', ARGV[1], ARGV[2]) "
					+ "if string.byte(head, 1) == 203 then return 0 end "
					+ "return deleted");

	/**
	 * Writes an entry only when it is absent ({@code SET NX GET}, Redis 7) and returns what
	 * was there. The invalidation (ARGV[4]) is published only when the write happened;
	 * otherwise the filler (ARGV[5], same sequence number, no keys) is, so the sender's
	 * numbering stays gap-free for the receivers while no local copy is dropped for a
	 * write that did not happen. An entry with at most ARGV[6] milliseconds left (the
	 * stale-if-error window, {@code 0} when off) is logically expired and counts as
	 * absent. Cluster-safe like {@link #SET_AND_PUBLISH}.
	 */
	private static final Script SET_IF_ABSENT_AND_PUBLISH = new Script(ScriptOutputType.VALUE,
			"local present = redis.call('get', KEYS[1]) "
					+ "if present and string.byte(present, 1) ~= 203 and (tonumber(ARGV[6]) == 0 "
					+ "or redis.call('pttl', KEYS[1]) > tonumber(ARGV[6])) then "
					+ "redis.call('publish', ARGV[3], ARGV[5]) return present end "
					+ "redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) "
					+ "redis.call('publish', ARGV[3], ARGV[4]) "
					+ "return false");

	/**
	 * Returns the entry, or when there is none, the fill fence: a marker that the load
	 * about to start may replace with its value (see {@link #FILL}). A marker already
	 * present (another load of the same key, with no write since) is shared, not
	 * replaced, so concurrent loads never starve one another. Every write of the key
	 * ({@code SET}, {@code UNLINK}, a clear or pattern eviction) removes the marker.
	 * <p>
	 * Stale-if-error (ARGV[3], the window in milliseconds, {@code 0} when off): an entry
	 * with at most that long left is logically expired and counts as absent. The marker
	 * then carries it as a tail (marker bytes, then the entry's), for at least as long as
	 * it had left: a load whose loader throws may return it, and only while the very same
	 * marker is still there, that is, while no write or evict of the key happened since.
	 */
	/**
	 * A read: the entry and its remaining time to live, as one command (one reply to wait
	 * for and decode, one breaker permit), where {@code GET} and {@code PTTL} pipelined cost
	 * a remote hit a second command's work on both sides.
	 */
	private static final Script READ = new Script(ScriptOutputType.MULTI,
			"return {redis.call('get', KEYS[1]), redis.call('pttl', KEYS[1])}");

	private static final Script FENCE = new Script(ScriptOutputType.VALUE,
			"local present = redis.call('get', KEYS[1]) "
					+ "local window = tonumber(ARGV[3]) "
					+ "if present then "
					+ "if window == 0 or string.byte(present, 1) == 203 then return present end "
					+ "local left = redis.call('pttl', KEYS[1]) "
					+ "if left < 0 or left > window then return present end "
					+ "local marked = ARGV[1] .. present "
					+ "redis.call('set', KEYS[1], marked, 'PX', math.max(left, tonumber(ARGV[2]))) "
					+ "return marked end "
					+ "redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) "
					+ "return ARGV[1]");

	/**
	 * Refresh-ahead's write: replaces an entry with a reloaded value only if the entry is
	 * still the one the refresh read (same bytes, ARGV[1]) and was not rewritten since
	 * (its PTTL, which only falls until a write resets it, is at most the ARGV[2] read
	 * then), and publishes the invalidation (ARGV[6]) when it wrote, the filler (ARGV[7])
	 * otherwise, so receivers see no gap. Without a channel (ARGV[5] empty) it publishes
	 * nothing. Returns 1 when it wrote. Cluster-safe like {@link #SET_AND_PUBLISH}.
	 */
	private static final Script REFRESH = new Script(ScriptOutputType.INTEGER,
			"local wrote = 0 "
					+ "if redis.call('get', KEYS[1]) == ARGV[1] and redis.call('pttl', KEYS[1]) <= tonumber(ARGV[2]) then "
					+ "redis.call('set', KEYS[1], ARGV[3], 'PX', ARGV[4]) wrote = 1 end "
					+ "if ARGV[5] ~= '' then redis.call('publish', ARGV[5], (wrote == 1) and ARGV[6] or ARGV[7]) end "
					+ "return wrote");

	/**
	 * Replaces the fence marker (ARGV[1]) with the loaded value, only if the marker is
	 * still there, that is, if no write of the key happened since the load's fence was
	 * taken. Returns 1 when it wrote.
	 */
	private static final Script FILL = new Script(ScriptOutputType.INTEGER,
			"if redis.call('get', KEYS[1]) == ARGV[1] then "
					+ "redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end "
					+ "return 0");

	/** The first byte of a fence marker; never the first byte of an {@link Envelope}. */
	static final byte FENCE_MARK = (byte) 0xCB;

	/** A fence marker's length; a longer one carries a logically expired entry. */
	static final int MARKER_LENGTH = 17;

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
			byte[] message, byte[] otherwise, long staleMillis) {
		return send(SET_IF_ABSENT_AND_PUBLISH, key, value, ttl(ttlMillis), channel, message, otherwise,
				ttl(staleMillis));
	}

	/**
	 * Queue refresh-ahead's write (see {@link #REFRESH}); wait for it with
	 * {@link #await(ScriptCall)}, which returns 1 when it wrote.
	 * @param channel the invalidation channel, or {@code null} for none
	 */
	ScriptCall<Long> refreshAndPublish(byte[] key, byte[] expected, long expectedTtlMillis, byte[] value,
			long ttlMillis, byte[] channel, byte[] message, byte[] otherwise) {
		byte[] none = new byte[0];
		return send(REFRESH, key, expected, ttl(expectedTtlMillis), value, ttl(ttlMillis),
				(channel != null) ? channel : none, (message != null) ? message : none,
				(otherwise != null) ? otherwise : none);
	}

	/**
	 * Take the fence for a load of a key that Redis does not hold, in one round trip.
	 * @param key the entry's key
	 * @param marker a new marker, {@link #FENCE_MARK} and random bytes
	 * @param ttlMillis how long the marker lives (the longest load that can still fill)
	 * @param staleMillis the stale-if-error window, {@code 0} when off
	 * @return the entry (another load filled it meanwhile) or the fence marker to fill with,
	 * which carries a logically expired entry as its tail (see {@link #FENCE})
	 */
	byte[] fence(byte[] key, byte[] marker, long ttlMillis, long staleMillis) {
		return await(send(FENCE, key, marker, ttl(ttlMillis), ttl(staleMillis)));
	}

	CompletableFuture<byte[]> fenceAsync(byte[] key, byte[] marker, long ttlMillis, long staleMillis) {
		return scriptAsync(FENCE, key, marker, ttl(ttlMillis), ttl(staleMillis));
	}

	/**
	 * Fill a key with a loaded value if its fence marker is still there.
	 * @return whether the value was written
	 */
	boolean fill(byte[] key, byte[] marker, byte[] value, long ttlMillis) {
		Long filled = await(send(FILL, key, marker, value, ttl(ttlMillis)));
		return filled != null && filled == 1;
	}

	CompletableFuture<Boolean> fillAsync(byte[] key, byte[] marker, byte[] value, long ttlMillis) {
		return this.<Long>scriptAsync(FILL, key, marker, value, ttl(ttlMillis))
			.thenApply((filled) -> filled != null && filled == 1);
	}

	static boolean isFence(byte[] bytes) {
		return bytes != null && bytes.length > 0 && bytes[0] == FENCE_MARK;
	}

	/**
	 * Read an entry and its remaining time to live, in one round trip ({@code GET} and
	 * {@code PTTL} sent back to back).
	 * @return the entry and its remaining milliseconds ({@code -1} when unknown), or
	 * {@code null} when absent
	 */
	Timed getWithTtl(byte[] key) {
		return timed(await(send(READ, key)));
	}

	CompletableFuture<Timed> getWithTtlAsync(byte[] key) {
		return this.<List<Object>>scriptAsync(READ, key).thenApply(RemoteTier::timed);
	}

	private static Timed timed(List<Object> reply) {
		byte[] bytes = (reply != null && !reply.isEmpty() && reply.get(0) instanceof byte[] found) ? found : null;
		long remaining = (reply != null && reply.size() > 1 && reply.get(1) instanceof Long ttl) ? ttl : -1;
		return (bytes != null) ? new Timed(bytes, remaining) : null;
	}

	/**
	 * Remaining times to live of many keys, pipelined.
	 */
	long[] ttls(List<byte[]> keys) {
		List<CompletableFuture<Long>> replies = new ArrayList<>(keys.size());
		keys.forEach((key) -> replies.add(async((api) -> api.pttl(key))));
		long[] ttls = new long[keys.size()];
		for (int i = 0; i < ttls.length; i++) {
			Long remaining = replies.get(i).join();
			ttls[i] = (remaining != null) ? remaining : -1;
		}
		return ttls;
	}

	/**
	 * An entry's bytes and its remaining time to live in milliseconds ({@code -1} unknown).
	 */
	record Timed(byte[] bytes, long ttlMillis) {
	}

	/**
	 * Run a script with {@code EVALSHA}, and once more with {@code EVAL} when the server
	 * answers {@code NOSCRIPT}: it ran nothing then, so that answer is neither an error nor
	 * a call of its own in the meters (as in {@link #await(ScriptCall)}).
	 */
	private <T> CompletableFuture<T> scriptAsync(Script script, byte[] key, byte[]... args) {
		byte[][] keys = { key };
		long start = System.nanoTime();
		return counted(start, this.connector.execute((api) -> api.<T>evalsha(script.sha(), script.output(), keys, args))
			.exceptionallyCompose((failure) -> {
				Throwable cause = (failure instanceof java.util.concurrent.CompletionException) ? failure.getCause()
						: failure;
				if (cause instanceof RedisNoScriptException) {
					return this.connector.execute((api) -> api.<T>eval(script.body(), script.output(), keys, args));
				}
				return CompletableFuture.failedFuture(cause);
			}));
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
	 * @param pattern the glob
	 * @param countEntries whether to return how many entries (not loads' fence markers)
	 * were deleted, at the cost of reading the first byte of each key before deleting it
	 * @return how many keys were deleted, or entries with {@code countEntries}
	 */
	long deleteMatching(String pattern, boolean countEntries) {
		ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_BATCH);
		long deleted = 0;
		ScanCursor cursor = ScanCursor.INITIAL;
		do {
			ScanCursor from = cursor;
			KeyScanCursor<byte[]> page = sync((api) -> api.scan(from, args));
			List<byte[]> keys = page.getKeys();
			if (!keys.isEmpty()) {
				long entries = 0;
				if (countEntries) {
					List<CompletableFuture<byte[]>> heads = new ArrayList<>(keys.size());
					keys.forEach((key) -> heads.add(async((api) -> api.getrange(key, 0, 0))));
					for (CompletableFuture<byte[]> head : heads) {
						byte[] first = head.join();
						if (first != null && first.length > 0 && first[0] != FENCE_MARK) {
							entries++;
						}
					}
				}
				long unlinked = delete(keys.toArray(new byte[0][]));
				deleted += countEntries ? Math.min(entries, unlinked) : unlinked;
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
		return counted(System.nanoTime(), this.connector.execute(command));
	}

	/**
	 * Record a call's latency from {@code start} to its reply, and an error if it failed.
	 */
	private <T> CompletableFuture<T> counted(long start, CompletableFuture<T> reply) {
		return reply.whenComplete((value, failure) -> {
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
