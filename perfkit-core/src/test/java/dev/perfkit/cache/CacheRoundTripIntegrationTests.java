package dev.perfkit.cache;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.Resp;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How many commands a cache operation costs, counted by a Redis process of the test's own
 * with {@code INFO commandstats} (commands run inside a script are counted too).
 */
class CacheRoundTripIntegrationTests {

	private static final int PUTS = 25;

	@Test
	void aPutWritesAndAnnouncesWithOneRedisCall() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			CacheFixture.Instance a = fixture.instance(fixture.settings());
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			b.cache("credits");
			// The first put teaches the server the script (EVALSHA answers NOSCRIPT, EVAL follows).
			a.cache("credits").put("warm-up", 0);
			String before = stats(redis);
			for (int i = 0; i < PUTS; i++) {
				a.cache("credits").put("user-" + i, i);
			}
			String after = stats(redis);
			assertThat(calls(after, "evalsha") - calls(before, "evalsha")).isEqualTo(PUTS);
			assertThat(calls(after, "eval") - calls(before, "eval")).isZero();
			// Each script runs one SET and one PUBLISH: no SET or PUBLISH was sent on its own.
			assertThat(calls(after, "set") - calls(before, "set")).isEqualTo(PUTS);
			assertThat(calls(after, "publish") - calls(before, "publish")).isEqualTo(PUTS);
			assertThat(Resp.call("127.0.0.1", redis.port(), "GET", fixture.prefix + "credits:user-3")).isNotNull();
			await("B heard every put").atMost(CacheFixture.BOUND)
				.until(() -> b.count("perfkit.cache.invalidations.received") >= PUTS + 1);
		}
	}

	@Test
	void aPutStillAnnouncesAfterTheServerForgotTheScript() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			CacheFixture.Instance a = fixture.instance(fixture.settings());
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			a.cache("credits").put("alice", 100);
			assertThat(b.cache("credits").get("alice", Integer.class)).isEqualTo(100);
			Resp.call("127.0.0.1", redis.port(), "SCRIPT", "FLUSH");

			a.cache("credits").put("alice", 70);

			await("B dropped its stale copy").atMost(CacheFixture.BOUND)
				.untilAsserted(() -> assertThat(b.cache("credits").get("alice", Integer.class)).isEqualTo(70));
			assertThat(calls(stats(redis), "eval")).isEqualTo(2);
		}
	}

	private static String stats(RedisProcess redis) {
		return String.valueOf(Resp.call("127.0.0.1", redis.port(), "INFO", "commandstats"));
	}

	private static long calls(String stats, String command) {
		Matcher matcher = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(stats);
		return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
	}

}
