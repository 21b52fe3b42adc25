package dev.perfkit.ratelimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.perfkit.redis.RedisConnector;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;

/**
 * The shared backend: one atomic Lua script call per check on Redis.
 * <p>
 * <b>Implementation note.</b> Redis runs a script alone, so a check's reads, decision and
 * writes for all of a quota's limits cannot interleave with another instance's check of
 * the same key: nothing races, nothing is charged when one limit rejects, and the clock
 * is Redis's own {@code TIME}, so instances with skewed clocks still agree. The script is
 * called by {@code EVALSHA}; a {@code NOSCRIPT} reply (Redis restarted or flushed its
 * script cache) is answered with one {@code EVAL} of the full script, which also caches
 * it again, so the rare reload costs one more call, never a separate {@code SCRIPT LOAD}.
 * Keys are {@code perfkit:rl:{tier:fingerprint:identity}} (plus {@code :q} for the
 * sliding log's sequence, passed only for that algorithm), one hash tag for one cluster slot, and every write sets a TTL
 * of the quota's longest window.
 */
public final class RedisRateLimiter implements RateLimitBackend {

	static final byte[] SCRIPT = load();

	static final String SHA = sha1(SCRIPT);

	private static final byte[] EMPTY = new byte[0];

	private static final byte[] ONE = { '1' };

	private static final byte[] ZERO = { '0' };

	private static final byte[] REFUND = { 'r' };

	private static final byte[] SLIDING_LOG = { 's' };

	private static final byte[] SLIDING_WINDOW = { 'w' };

	private static final byte[] TOKEN_BUCKET = { 't' };

	/** The costs a check usually has, encoded once (the arrays are only ever read). */
	private static final byte[][] SMALL = new byte[64][];

	static {
		for (int i = 0; i < SMALL.length; i++) {
			SMALL[i] = ascii(i);
		}
	}

	private final RedisConnector connector;

	/**
	 * Create a backend on a connector.
	 * @param connector the connector, with its timeout and breaker
	 */
	public RedisRateLimiter(RedisConnector connector) {
		this.connector = connector;
	}

	@Override
	public Decision check(Quota quota, String key, long cost, boolean dryRun) {
		return check(quota, key, cost, dryRun, -1);
	}

	@Override
	public void refund(Quota quota, String key, long cost, long chargedAtMillis) {
		call(quota, key, cost, REFUND, -1, chargedAtMillis);
	}

	/**
	 * Check on a given time instead of Redis's clock. Only tests that control time use it.
	 * @param quota the quota
	 * @param key the identity
	 * @param cost the cost
	 * @param dryRun whether to charge nothing
	 * @param timeMillis the time in epoch milliseconds, or negative for Redis's {@code TIME}
	 * @return the decision
	 */
	Decision check(Quota quota, String key, long cost, boolean dryRun, long timeMillis) {
		return call(quota, key, cost, dryRun ? ONE : ZERO, timeMillis, -1);
	}

	/**
	 * Refund on a given time instead of Redis's clock. Only tests that control time use it.
	 */
	Decision refund(Quota quota, String key, long cost, long chargedAtMillis, long timeMillis) {
		return call(quota, key, cost, REFUND, timeMillis, chargedAtMillis);
	}

	@Override
	public CompletableFuture<Decision> checkAsync(Quota quota, String key, long cost, boolean dryRun) {
		return callAsync(quota, key, cost, dryRun ? ONE : ZERO, -1, -1);
	}

	@Override
	public CompletableFuture<Void> refundAsync(Quota quota, String key, long cost, long chargedAtMillis) {
		return callAsync(quota, key, cost, REFUND, -1, chargedAtMillis).thenApply((decision) -> null);
	}

	private Decision call(Quota quota, String key, long cost, byte[] mode, long timeMillis, long chargedAtMillis) {
		byte[][] keys = keys(quota, key);
		byte[][] args = args(quota, cost, mode, timeMillis, (mode == REFUND) ? ascii(chargedAtMillis) : null);
		List<Object> reply;
		try {
			reply = this.connector
				.executeSync((redis) -> redis.<List<Object>>evalsha(SHA, ScriptOutputType.MULTI, keys, args));
		}
		catch (RedisCommandExecutionException ex) {
			if (!isNoScript(ex)) {
				throw ex;
			}
			reply = this.connector
				.executeSync((redis) -> redis.<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, args));
		}
		return decision(quota, cost, reply);
	}

	/**
	 * The same call on the connector's asynchronous path: nothing waits, the reply (or the
	 * connector's timeout) completes the future on Lettuce's or the timer's thread.
	 */
	private CompletableFuture<Decision> callAsync(Quota quota, String key, long cost, byte[] mode, long timeMillis,
			long chargedAtMillis) {
		byte[][] keys = keys(quota, key);
		byte[][] args = args(quota, cost, mode, timeMillis, (mode == REFUND) ? ascii(chargedAtMillis) : null);
		return this.connector
			.<List<Object>>execute((redis) -> redis.evalsha(SHA, ScriptOutputType.MULTI, keys, args))
			.exceptionallyCompose((failure) -> {
				Throwable cause = (failure instanceof CompletionException && failure.getCause() != null)
						? failure.getCause() : failure;
				if (cause instanceof RedisCommandExecutionException answer && isNoScript(answer)) {
					return this.connector
						.execute((redis) -> redis.<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, args));
				}
				return CompletableFuture.failedFuture(cause);
			})
			.thenApply((reply) -> decision(quota, cost, reply));
	}

	private static boolean isNoScript(RedisCommandExecutionException ex) {
		return ex.getMessage() != null && ex.getMessage().startsWith("NOSCRIPT");
	}

	/**
	 * The script's keys: {@link StorageKey#of}, built as bytes on the quota's encoded
	 * prefix, and for the sliding log its {@code :q} twin (the only algorithm that uses a
	 * second key; the others are spared its bytes and Redis its slot check).
	 */
	static byte[][] keys(Quota quota, String key) {
		byte[] prefix = Encoded.of(quota).prefix;
		byte[] identity = StorageKey.safe(key).getBytes(StandardCharsets.UTF_8);
		byte[] base = Arrays.copyOf(prefix, prefix.length + identity.length + 1);
		System.arraycopy(identity, 0, base, prefix.length, identity.length);
		base[base.length - 1] = '}';
		if (quota.algorithm() != Algorithm.SLIDING_LOG) {
			return new byte[][] { base };
		}
		byte[] sequence = Arrays.copyOf(base, base.length + 2);
		sequence[base.length] = ':';
		sequence[base.length + 1] = 'q';
		return new byte[][] { base, sequence };
	}

	/**
	 * The script's arguments: algorithm, cost, mode, time (empty for Redis's clock), the
	 * limits, and the mode's own last argument if it has one (a refund's charge time, a
	 * lease's batch).
	 */
	static byte[][] args(Quota quota, long cost, byte[] mode, long timeMillis, byte[] last) {
		Encoded encoded = Encoded.of(quota);
		byte[][] args = new byte[4 + encoded.limits.length + ((last != null) ? 1 : 0)][];
		args[0] = encoded.algorithm;
		args[1] = (cost >= 0 && cost < SMALL.length) ? SMALL[(int) cost] : ascii(cost);
		args[2] = mode;
		args[3] = (timeMillis >= 0) ? ascii(timeMillis) : EMPTY;
		System.arraycopy(encoded.limits, 0, args, 4, encoded.limits.length);
		if (last != null) {
			args[args.length - 1] = last;
		}
		return args;
	}

	private static Decision decision(Quota quota, long cost, List<Object> reply) {
		return Decision.of((Long) reply.get(0) == 1L, quota, figures(quota, cost, reply), (Long) reply.get(1),
				Decision.Source.REDIS);
	}

	/**
	 * The figures of a script reply: a token bucket's reply carries each limit's level
	 * after the call, and the figures are derived here with the arithmetic the local
	 * backend uses (one division per figure that Redis no longer runs on every call); the
	 * other algorithms' replies carry the figures themselves.
	 * @param quota the quota checked
	 * @param cost the cost of the check (a retry time is for a request of that cost)
	 * @param reply the script's reply
	 * @return the flattened {@code remaining, reset, retry} figures
	 */
	static long[] figures(Quota quota, long cost, List<Object> reply) {
		List<Limit> limits = quota.limits();
		long[] figures = new long[3 * limits.size()];
		if (quota.algorithm() == Algorithm.TOKEN_BUCKET) {
			for (int i = 0; i < limits.size(); i++) {
				Figures.tokenBucket(figures, i, limits.get(i), (Long) reply.get(2 + i), cost);
			}
		}
		else {
			for (int i = 0; i < figures.length; i++) {
				figures[i] = (Long) reply.get(2 + i);
			}
		}
		return figures;
	}

	/**
	 * Return the connector.
	 * @return the connector
	 */
	public RedisConnector connector() {
		return this.connector;
	}

	static byte[] ascii(long value) {
		return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
	}

	private static byte[] load() {
		try (InputStream in = RedisRateLimiter.class.getResourceAsStream("check.lua")) {
			if (in == null) {
				throw new IllegalStateException("check.lua is missing from the classpath");
			}
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String sha1(byte[] script) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * What a quota puts into every call, encoded once and remembered on the quota: the
	 * key prefix {@code perfkit:rl:{tier:fingerprint:} and the algorithm and limit
	 * arguments. The byte arrays are shared by every call and only ever read (Lettuce
	 * copies them into its write buffer). Remembered without synchronization, as
	 * {@link Quota#localStates} is: the fields are final, so a thread that sees the object
	 * sees it whole, and two threads that race merely encode it twice.
	 */
	static final class Encoded {

		final byte[] prefix;

		final byte[] algorithm;

		/** The limit count, then each limit's capacity and window in milliseconds. */
		final byte[][] limits;

		private Encoded(Quota quota) {
			this.prefix = StorageKey.prefix(quota).getBytes(StandardCharsets.UTF_8);
			this.algorithm = switch (quota.algorithm()) {
				case SLIDING_LOG -> SLIDING_LOG;
				case SLIDING_WINDOW -> SLIDING_WINDOW;
				case TOKEN_BUCKET -> TOKEN_BUCKET;
			};
			List<Limit> limits = quota.limits();
			this.limits = new byte[1 + 2 * limits.size()][];
			this.limits[0] = ascii(limits.size());
			for (int i = 0; i < limits.size(); i++) {
				this.limits[1 + 2 * i] = ascii(limits.get(i).capacity());
				this.limits[2 + 2 * i] = ascii(limits.get(i).windowMillis());
			}
		}

		static Encoded of(Quota quota) {
			if (quota.redisEncoding instanceof Encoded encoded) {
				return encoded;
			}
			Encoded encoded = new Encoded(quota);
			quota.redisEncoding = encoded;
			return encoded;
		}

	}

}
