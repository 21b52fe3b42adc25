package dev.perfkit.cache;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.benmanes.caffeine.cache.Cache;
import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.Resp;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How many commands a cache operation costs, counted by a Redis process of the test's own
 * with {@code INFO commandstats} (commands run inside a script are counted too), and that
 * the one call still reaches the other instances.
 */
class CacheRoundTripIntegrationTests {

	private static final int PUTS = 25;

	private static final int EVICTS = 25;

	@Test
	void aPutWritesAndAnnouncesWithOneRedisCall() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			// These tests count commands: no heartbeat may run between two counts.
			fixture.heartbeat = Duration.ofHours(1);
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
			// These tests count commands: no heartbeat may run between two counts.
			fixture.heartbeat = Duration.ofHours(1);
			CacheFixture.Instance a = fixture.instance(fixture.settings());
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			putAndShare(a, b, "alice", 100);
			Resp.call("127.0.0.1", redis.port(), "SCRIPT", "FLUSH");

			a.cache("credits").put("alice", 70);

			await("B dropped its stale copy").atMost(CacheFixture.BOUND)
				.untilAsserted(() -> assertThat(b.cache("credits").get("alice", Integer.class)).isEqualTo(70));
			// Each script is sent with EVAL once when the server does not know it (NOSCRIPT), then
			// EVALSHA finds it: the put's and the read's, each before and after the flush.
			assertThat(calls(stats(redis), "eval")).isEqualTo(4);
		}
	}

	@Test
	void anEvictDeletesAndAnnouncesWithOneRedisCall() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			// These tests count commands: no heartbeat may run between two counts.
			fixture.heartbeat = Duration.ofHours(1);
			CacheFixture.Instance a = fixture.instance(fixture.settings());
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			b.cache("credits");
			for (int i = 0; i < EVICTS; i++) {
				a.cache("credits").put("user-" + i, i);
			}
			// Read only after B heard the puts, or a late announcement would drop B's copy.
			await("B heard the puts").atMost(CacheFixture.BOUND)
				.until(() -> b.count("perfkit.cache.invalidations.received") >= EVICTS);
			for (int i = 0; i < EVICTS; i++) {
				assertThat(b.cache("credits").get("user-" + i, Integer.class)).isEqualTo(i);
				assertThat(localCopy(b, "user-" + i)).isEqualTo(i);
			}
			// The first evict teaches the server the script (EVALSHA answers NOSCRIPT, EVAL follows).
			a.cache("credits").evict("warm-up");
			await("B heard the warm-up").atMost(CacheFixture.BOUND)
				.until(() -> b.count("perfkit.cache.invalidations.received") >= EVICTS + 1);
			double received = b.count("perfkit.cache.invalidations.received");
			String before = stats(redis);
			for (int i = 0; i < EVICTS; i++) {
				assertThat(a.cache("credits").evictIfPresent("user-" + i)).isTrue();
			}
			String after = stats(redis);
			assertThat(calls(after, "evalsha") - calls(before, "evalsha")).isEqualTo(EVICTS);
			assertThat(calls(after, "eval") - calls(before, "eval")).isZero();
			// Each script runs one UNLINK and one PUBLISH: nothing was sent on its own.
			assertThat(calls(after, "unlink") - calls(before, "unlink")).isEqualTo(EVICTS);
			assertThat(calls(after, "del") - calls(before, "del")).isZero();
			assertThat(calls(after, "publish") - calls(before, "publish")).isEqualTo(EVICTS);
			assertThat(Resp.call("127.0.0.1", redis.port(), "EXISTS", fixture.prefix + "credits:user-3")).isEqualTo(0L);
			await("B dropped every local copy").atMost(CacheFixture.BOUND).untilAsserted(() -> {
				for (int i = 0; i < EVICTS; i++) {
					assertThat(localCopy(b, "user-" + i)).as("user-" + i).isNull();
				}
			});
			assertThat(b.count("perfkit.cache.invalidations.received") - received).isEqualTo(EVICTS);
			assertThat(b.count("perfkit.cache.local.flushes", "reason", "gap")).isZero();
			assertThat(a.count("perfkit.cache.invalidations.sent")).isEqualTo(EVICTS + EVICTS + 1);
			assertThat(a.count("perfkit.cache.evictions", "tier", "remote")).isEqualTo(EVICTS + 1);
		}
	}

	@Test
	void anEvictReachesOtherInstancesEvenWhenRedisNoLongerHoldsTheKey() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			// These tests count commands: no heartbeat may run between two counts.
			fixture.heartbeat = Duration.ofHours(1);
			CacheFixture.Instance a = fixture.instance(fixture.settings());
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			CacheFixture.Instance c = fixture.instance(fixture.settings());
			putAndShare(a, b, "alice", 100);
			// As if the entry's TTL ran out in Redis while B kept its local copy.
			Resp.call("127.0.0.1", redis.port(), "DEL", fixture.prefix + "credits:alice");

			assertThat(c.cache("credits").evictIfPresent("alice")).isFalse();

			await("B dropped its local copy").atMost(CacheFixture.BOUND)
				.until(() -> localCopy(b, "alice") == null);
			assertThat(b.cache("credits").get("alice")).isNull();
		}
	}

	@Test
	void aPutIfAbsentWritesAndAnnouncesWithOneRedisCall() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			// These tests count commands: no heartbeat may run between two counts.
			fixture.heartbeat = Duration.ofHours(1);
			CacheFixture.Instance a = fixture.instance(fixture.settings());
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			putAndShare(a, b, "alice", 100);
			// As if the entry's TTL ran out in Redis while B kept its local copy.
			Resp.call("127.0.0.1", redis.port(), "DEL", fixture.prefix + "credits:alice");
			// The first putIfAbsent teaches the server the script.
			assertThat(a.cache("credits").putIfAbsent("warm-up", 0)).isNull();
			String before = stats(redis);

			assertThat(a.cache("credits").putIfAbsent("alice", 70)).isNull();

			String after = stats(redis);
			assertThat(calls(after, "evalsha") - calls(before, "evalsha")).isEqualTo(1);
			assertThat(calls(after, "eval") - calls(before, "eval")).isZero();
			assertThat(calls(after, "set") - calls(before, "set")).isEqualTo(1);
			assertThat(calls(after, "publish") - calls(before, "publish")).isEqualTo(1);
			await("B dropped its stale copy").atMost(CacheFixture.BOUND)
				.untilAsserted(() -> assertThat(b.cache("credits").get("alice", Integer.class)).isEqualTo(70));
			assertThat(a.count("perfkit.cache.puts")).isEqualTo(3);
			assertThat(a.count("perfkit.cache.invalidations.sent")).isEqualTo(3);
		}
	}

	@Test
	void aPutIfAbsentOfAPresentKeyCostsOneRedisCallAndDropsNoLocalCopy() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			// These tests count commands: no heartbeat may run between two counts.
			fixture.heartbeat = Duration.ofHours(1);
			CacheFixture.Instance a = fixture.instance(fixture.settings());
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			putAndShare(a, b, "alice", 100);
			assertThat(a.cache("credits").putIfAbsent("warm-up", 0)).isNull();
			await("B heard both writes").atMost(CacheFixture.BOUND)
				.until(() -> b.count("perfkit.cache.invalidations.received") >= 2);
			double received = b.count("perfkit.cache.invalidations.received");
			String before = stats(redis);

			assertThat(a.cache("credits").putIfAbsent("alice", 70)).isNotNull()
				.extracting(org.springframework.cache.Cache.ValueWrapper::get)
				.isEqualTo(100);

			String after = stats(redis);
			assertThat(calls(after, "evalsha") - calls(before, "evalsha")).isEqualTo(1);
			assertThat(calls(after, "eval") - calls(before, "eval")).isZero();
			// The script reads the key and, finding an entry (not a load's fence marker), writes nothing.
			assertThat(calls(after, "get") - calls(before, "get")).isEqualTo(1);
			assertThat(calls(after, "set") - calls(before, "set")).isZero();
			// A filler that drops nothing keeps A's message numbers without a gap.
			assertThat(calls(after, "publish") - calls(before, "publish")).isEqualTo(1);
			assertThat(a.count("perfkit.cache.puts")).isEqualTo(2);
			assertThat(a.count("perfkit.cache.invalidations.sent")).isEqualTo(2);

			// A's next messages arrive after the filler: B sees no gap and keeps alice. (B
			// handles messages in order, so once carol's counts, bob's was checked for a gap.)
			a.cache("credits").put("bob", 1);
			a.cache("credits").put("carol", 1);
			await("B heard the puts of bob and carol").atMost(CacheFixture.BOUND)
				.until(() -> b.count("perfkit.cache.invalidations.received") >= received + 2);
			assertThat(b.count("perfkit.cache.invalidations.received")).isEqualTo(received + 2);
			assertThat(b.count("perfkit.cache.local.flushes", "reason", "gap")).isZero();
			assertThat(localCopy(b, "alice")).isEqualTo(100);
		}
	}

	@Test
	void anEvictAndAPutIfAbsentStillAnnounceAfterTheServerForgotTheScripts() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			// These tests count commands: no heartbeat may run between two counts.
			fixture.heartbeat = Duration.ofHours(1);
			CacheFixture.Instance a = fixture.instance(fixture.settings());
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			putAndShare(a, b, "alice", 100);
			b.cache("credits").put("bob", 1);
			assertThat(a.cache("credits").evictIfPresent("warm-up")).isFalse();
			assertThat(a.cache("credits").putIfAbsent("warm-up", 0)).isNull();
			Resp.call("127.0.0.1", redis.port(), "SCRIPT", "FLUSH");
			Resp.call("127.0.0.1", redis.port(), "DEL", fixture.prefix + "credits:bob");
			String before = stats(redis);

			assertThat(a.cache("credits").evictIfPresent("alice")).isTrue();
			await("B dropped alice").atMost(CacheFixture.BOUND).until(() -> localCopy(b, "alice") == null);
			assertThat(a.cache("credits").putIfAbsent("bob", 2)).isNull();
			await("B dropped its stale bob").atMost(CacheFixture.BOUND)
				.untilAsserted(() -> assertThat(b.cache("credits").get("bob", Integer.class)).isEqualTo(2));

			// The evict's, the put-if-absent's and the read's (B reading bob) scripts, once each.
			assertThat(calls(stats(redis), "eval") - calls(before, "eval")).isEqualTo(3);
			assertThat(b.count("perfkit.cache.local.flushes", "reason", "gap")).isZero();
		}
	}

	/**
	 * Put on A, then let B read the value into its local tier once B heard A's
	 * announcement (a late announcement would drop B's fresh copy).
	 */
	private static void putAndShare(CacheFixture.Instance a, CacheFixture.Instance b, String key, Object value) {
		b.cache("credits");
		double heard = b.count("perfkit.cache.invalidations.received");
		a.cache("credits").put(key, value);
		await("B heard the put").atMost(CacheFixture.BOUND)
			.until(() -> b.count("perfkit.cache.invalidations.received") > heard);
		assertThat(b.cache("credits").get(key)).isNotNull().extracting((wrapper) -> wrapper.get()).isEqualTo(value);
		assertThat(localCopy(b, key)).isEqualTo(value);
	}

	/**
	 * The value an instance's local tier holds for a key, without touching Redis.
	 */
	@SuppressWarnings("unchecked")
	private static Object localCopy(CacheFixture.Instance instance, String id) {
		LocalTier.Entry entry = ((Cache<String, LocalTier.Entry>) instance.cache("credits").getNativeCache())
			.getIfPresent(id);
		return (entry != null) ? entry.value() : null;
	}

	private static String stats(RedisProcess redis) {
		return String.valueOf(Resp.call("127.0.0.1", redis.port(), "INFO", "commandstats"));
	}

	private static long calls(String stats, String command) {
		Matcher matcher = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(stats);
		return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
	}

}
