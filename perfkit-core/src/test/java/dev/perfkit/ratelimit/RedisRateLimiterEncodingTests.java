package dev.perfkit.ratelimit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The script's keys and arguments, built on bytes encoded once per quota, say exactly what
 * the plain string forms say: the storage key of {@link StorageKey#of} for any identity
 * (long, braced, non-ASCII, lone surrogates), and every limit in order.
 */
class RedisRateLimiterEncodingTests {

	private static final Quota QUOTA = new Quota("auth", "pro", Algorithm.TOKEN_BUCKET,
			List.of(Limit.parse("5/1m"), Limit.parse("100/1h")));

	private static final Quota LOG = new Quota("auth", "pro", Algorithm.SLIDING_LOG,
			List.of(Limit.parse("5/1m"), Limit.parse("100/1h")));

	@Test
	void keysAreTheStorageKeyAndForTheSlidingLogItsSequenceTwin() {
		long seed = System.nanoTime();
		System.out.println("RedisRateLimiterEncodingTests seed " + seed);
		Random random = new Random(seed);
		List<String> identities = new ArrayList<>(List.of("", "k", "user@example.com", "{tag}", "a}b", "é漢字🙂",
				"x".repeat(96), "x".repeat(97)));
		for (int i = 0; i < 200; i++) {
			StringBuilder identity = new StringBuilder();
			int length = random.nextInt(130);
			for (int j = 0; j < length; j++) {
				identity.appendCodePoint(random.nextBoolean() ? 0x20 + random.nextInt(0x5f) : 1 + random.nextInt(0x2ffff));
			}
			identities.add(identity.toString());
		}
		for (String identity : identities) {
			byte[][] keys = RedisRateLimiter.keys(QUOTA, identity);
			assertThat(keys).as("seed %d, identity %s", seed, identity)
				.isDeepEqualTo(new byte[][] { StorageKey.of(QUOTA, identity).getBytes(StandardCharsets.UTF_8) });
			String log = StorageKey.of(LOG, identity);
			assertThat(RedisRateLimiter.keys(LOG, identity)).as("seed %d, identity %s", seed, identity)
				.isDeepEqualTo(new byte[][] { log.getBytes(StandardCharsets.UTF_8),
						(log + ":q").getBytes(StandardCharsets.UTF_8) });
		}
	}

	@Test
	void argumentsCarryCostModeTimeLimitsAndTheLastArgument() {
		byte[] mode = { '0' };
		assertThat(strings(RedisRateLimiter.args(QUOTA, 1, mode, -1, null))).containsExactly("t", "1", "0", "", "2",
				"5", "60000", "100", "3600000");
		assertThat(strings(RedisRateLimiter.args(QUOTA, 1234567, mode, 42, "99".getBytes(StandardCharsets.US_ASCII))))
			.containsExactly("t", "1234567", "0", "42", "2", "5", "60000", "100", "3600000", "99");
		Quota window = new Quota("api", null, Algorithm.SLIDING_WINDOW, List.of(Limit.parse("10/1s")));
		assertThat(strings(RedisRateLimiter.args(window, 63, mode, -1, null))).containsExactly("w", "63", "0", "", "1",
				"10", "1000");
	}

	private static List<String> strings(byte[][] args) {
		List<String> strings = new ArrayList<>();
		for (byte[] arg : args) {
			strings.add(new String(arg, StandardCharsets.US_ASCII));
		}
		return strings;
	}

}
