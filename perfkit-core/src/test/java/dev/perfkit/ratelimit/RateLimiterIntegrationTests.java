package dev.perfkit.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorSettings;
import dev.perfkit.test.RedisCluster;
import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.Resp;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link RateLimiter} on Redis servers of the tests' own.
 */
class RateLimiterIntegrationTests {

	private static final Duration BOUND = Duration.ofSeconds(20);

	private static final Map<String, Tier> TIERS = Map.of(Tiers.AUTH, Tiers.builtIn(Tiers.AUTH), Tiers.STANDARD,
			Tiers.builtIn(Tiers.STANDARD), "closed",
			new Tier("closed", List.of(Limit.parse("100/1m")), Algorithm.TOKEN_BUCKET, FailurePolicy.DENY, Map.of()));

	@Test
	void sixtyFourThreadsOnOneAuthKeyGetExactlyFivePermitsOnRedisTime() throws Exception {
		// A generous command timeout: this test is about exactness, and on a loaded machine
		// 64 queued checks may take longer than the default 250 ms to be answered.
		try (RedisProcess redis = RedisProcess.start();
				Fixture fixture = new Fixture(redis, Duration.ofSeconds(10))) {
			fixture.limiter.check(Tiers.AUTH, null, "warm-up", 1);
			String key = "ip:" + UUID.randomUUID();
			ExecutorService pool = Executors.newFixedThreadPool(64);
			try {
				CountDownLatch start = new CountDownLatch(1);
				List<Future<Decision>> results = new ArrayList<>();
				for (int i = 0; i < 64; i++) {
					results.add(pool.submit(() -> {
						start.await();
						return fixture.limiter.check(Tiers.AUTH, null, key, 1);
					}));
				}
				start.countDown();
				int allowed = 0;
				for (Future<Decision> result : results) {
					Decision decision = result.get();
					// Redis decided, or this instance remembered a rejection by Redis
					assertThat(decision.source()).isIn(Decision.Source.REDIS, Decision.Source.SHORTCUT);
					allowed += decision.allowed() ? 1 : 0;
				}
				assertThat(allowed).isEqualTo(5);
			}
			finally {
				pool.shutdownNow();
			}
		}
	}

	@Test
	void eachCheckCostsExactlyOneRedisCall() {
		try (RedisProcess redis = RedisProcess.start(); Fixture fixture = new Fixture(redis)) {
			fixture.limiter.check(Tiers.AUTH, null, "warm-up", 1);
			fixture.limiter.check(Tiers.STANDARD, null, "warm-up", 1);
			Resp.call("127.0.0.1", redis.port(), "CONFIG", "RESETSTAT");
			for (int i = 0; i < 10; i++) {
				fixture.limiter.check(Tiers.AUTH, null, "ip:10.0.0." + i, 1);
				fixture.limiter.check(Tiers.STANDARD, null, "user:" + i, 1);
			}
			String stats = (String) Resp.call("127.0.0.1", redis.port(), "INFO", "commandstats");
			assertThat(calls(stats, "evalsha")).isEqualTo(20);
			assertThat(calls(stats, "eval")).isZero();
			assertThat(calls(stats, "script\\|load")).isZero();
			// commandstats also counts what the script runs inside Redis; nothing else was sent
			assertThat(stats.lines().filter((line) -> line.startsWith("cmdstat_")
					&& !line.startsWith("cmdstat_evalsha:") && !line.startsWith("cmdstat_config")
					&& !line.startsWith("cmdstat_info:") && !isRunByTheScript(line))).isEmpty();
		}
	}

	@Test
	void aFlushedScriptCacheIsReloadedByTheNextCheck() {
		try (RedisProcess redis = RedisProcess.start(); Fixture fixture = new Fixture(redis)) {
			assertThat(fixture.limiter.check(Tiers.AUTH, null, "k", 1).remaining()).isEqualTo(4);
			Resp.call("127.0.0.1", redis.port(), "SCRIPT", "FLUSH");
			Decision decision = fixture.limiter.check(Tiers.AUTH, null, "k", 1);
			assertThat(decision.source()).isEqualTo(Decision.Source.REDIS);
			assertThat(decision.remaining()).isEqualTo(3);
		}
	}

	@Test
	void everyKeyHasATtlAndThePerfkitPrefixWithOneHashTag() {
		try (RedisProcess redis = RedisProcess.start(); Fixture fixture = new Fixture(redis)) {
			fixture.limiter.check(Tiers.AUTH, null, "ip:192.0.2.1", 1);
			fixture.limiter.check(Tiers.STANDARD, null, "user:{weird}", 1);
			@SuppressWarnings("unchecked")
			List<String> keys = (List<String>) Resp.call("127.0.0.1", redis.port(), "KEYS", "*");
			assertThat(keys).hasSize(3).allSatisfy((key) -> {
				assertThat(key).matches("perfkit:rl:\\{[^{}]+\\}(:q)?");
				assertThat((Long) Resp.call("127.0.0.1", redis.port(), "PTTL", key)).isPositive();
			});
		}
	}

	@Test
	void garbageUnderALimitersKeysStartsThatKeyAfreshInsteadOfFailingChecks() {
		try (RedisProcess redis = RedisProcess.start(); Fixture fixture = new Fixture(redis)) {
			Quota auth = Tiers.builtIn(Tiers.AUTH).quota(null);
			Quota standard = Tiers.builtIn(Tiers.STANDARD).quota(null);
			Resp.call("127.0.0.1", redis.port(), "SET", StorageKey.of(auth, "k"), "garbage");
			Resp.call("127.0.0.1", redis.port(), "SET", StorageKey.of(auth, "k") + ":q", "not a number");
			Resp.call("127.0.0.1", redis.port(), "HSET", StorageKey.of(standard, "k"), "t", "yesterday", "l1", "x");
			Resp.call("127.0.0.1", redis.port(), "SET", StorageKey.of(standard, "j"), "\u0093garbage");
			Decision onLog = fixture.limiter.check(Tiers.AUTH, null, "k", 1);
			assertThat(onLog.source()).isEqualTo(Decision.Source.REDIS);
			assertThat(onLog.remaining()).isEqualTo(4);
			Decision onBucket = fixture.limiter.check(Tiers.STANDARD, null, "k", 1);
			assertThat(onBucket.source()).isEqualTo(Decision.Source.REDIS);
			assertThat(onBucket.remaining()).isEqualTo(59);
			Decision onGarbledBucket = fixture.limiter.check(Tiers.STANDARD, null, "j", 1);
			assertThat(onGarbledBucket.source()).isEqualTo(Decision.Source.REDIS);
			assertThat(onGarbledBucket.remaining()).isEqualTo(59);
		}
	}

	@Test
	void aKilledRedisMakesEachTierFollowItsPolicyAndLimitingResumesAfterRestart() {
		try (RedisProcess redis = RedisProcess.start(); Fixture fixture = new Fixture(redis)) {
			assertThat(fixture.limiter.check(Tiers.AUTH, null, "k", 1).source()).isEqualTo(Decision.Source.REDIS);
			redis.kill();
			await().atMost(BOUND).until(() -> fixture.limiter.check(Tiers.STANDARD, null, "probe", 1)
				.source() == Decision.Source.POLICY);

			Decision standard = fixture.limiter.check(Tiers.STANDARD, null, "k", 1);
			assertThat(standard.allowed()).isTrue();
			assertThat(standard.limited()).isFalse();
			Decision closed = fixture.limiter.check("closed", null, "k", 1);
			assertThat(closed.allowed()).isFalse();
			assertThat(closed.retryAfterSeconds()).isEqualTo(1);
			List<Decision> auth = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				auth.add(fixture.limiter.check(Tiers.AUTH, null, "k", 1));
			}
			assertThat(auth).extracting(Decision::source).containsOnly(Decision.Source.FALLBACK);
			assertThat(auth).extracting(Decision::allowed).containsExactly(true, true, true, true, true, false);
			assertThat(fixture.registry.get("perfkit.ratelimit.fallbacks").tag("tier", "auth").counter().count())
				.isEqualTo(6);
			assertThat(fixture.registry.get("perfkit.ratelimit.requests").tag("tier", "standard")
				.tag("outcome", "error").functionCounter().count()).isGreaterThanOrEqualTo(2);

			redis.restart();
			await().atMost(BOUND).until(() -> fixture.limiter.check(Tiers.STANDARD, null, "probe", 1)
				.source() == Decision.Source.REDIS);
			Decision resumed = fixture.limiter.check(Tiers.AUTH, null, "k", 1);
			assertThat(resumed.source()).isEqualTo(Decision.Source.REDIS);
			assertThat(resumed.remaining()).isEqualTo(4);
		}
	}

	@Test
	void checksRunOnARedisClusterBecauseAChecksKeysShareOneSlot() {
		try (RedisCluster cluster = RedisCluster.start()) {
			List<RedisURI> seeds = cluster.nodes().stream().map((node) -> RedisURI.create(node.host(), node.port())).toList();
			RedisClusterClient client = RedisClusterClient.create(seeds);
			try (RedisConnector connector = new RedisConnector(() -> client,
					RedisConnectorSettings.defaults("ratelimit").withCommandTimeout(Duration.ofSeconds(10)))) {
				connector.connect();
				await().atMost(BOUND).until(connector::isAvailable);
				RateLimiter limiter = new RateLimiter(TIERS, new RedisRateLimiter(connector), new LocalRateLimiter(10), null);
				for (int i = 0; i < 20; i++) {
					List<Decision> auth = new ArrayList<>();
					for (int j = 0; j < 6; j++) {
						auth.add(limiter.check(Tiers.AUTH, null, "ip:10.0.0." + i, 1));
					}
					assertThat(auth).extracting(Decision::source).containsOnly(Decision.Source.REDIS);
					assertThat(auth).extracting(Decision::allowed).containsExactly(true, true, true, true, true, false);
				}
			}
			finally {
				client.shutdown();
			}
		}
	}

	@Test
	void outboundAcquireWaitsForAPermitWithinItsBoundAndFailsBeyondIt() {
		// Long enough that the third acquire always falls in the first one's window, however
		// slow the machine; the last one waits it out.
		Tier github = new Tier("github", List.of(Limit.parse("2/2s")), Algorithm.SLIDING_LOG,
				FailurePolicy.LOCAL, Map.of());
		RateLimiter limiter = new RateLimiter(Map.of("github", github), null, new LocalRateLimiter(100), null);
		limiter.acquire("github", "api", 1, Duration.ZERO);
		limiter.acquire("github", "api", 1, Duration.ZERO);
		assertThatExceptionOfType(RateLimitExceededException.class)
			.isThrownBy(() -> limiter.acquire("github", "api", 1, Duration.ofMillis(10)));
		Decision waited = limiter.acquire("github", "api", 1, Duration.ofSeconds(10));
		assertThat(waited.allowed()).isTrue();
		assertThat(limiter.snapshot().tiers().get(0).rejected()).isGreaterThanOrEqualTo(1);
	}

	private static boolean isRunByTheScript(String line) {
		String command = line.substring("cmdstat_".length(), line.indexOf(':'));
		return List.of("time", "get", "set", "hmget", "hset", "pexpire", "zremrangebyscore", "zcount", "incrby", "zadd",
				"zrange", "zrangebyscore").contains(command);
	}

	private static long calls(String stats, String command) {
		Matcher matcher = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(stats);
		return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
	}

	private static final class Fixture implements AutoCloseable {

		final RedisClient client;

		final RedisConnector connector;

		final SimpleMeterRegistry registry = new SimpleMeterRegistry();

		final RateLimiter limiter;

		/**
		 * A fixture with a generous command timeout: these tests assert what Redis decided,
		 * and on a loaded machine an answer (a script's first load, say) may take longer than
		 * the default 250 ms, which would turn it into a failure-policy decision.
		 */
		Fixture(RedisProcess redis) {
			this(redis, Duration.ofSeconds(10));
		}

		Fixture(RedisProcess redis, Duration commandTimeout) {
			this.client = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
			this.connector = new RedisConnector(() -> this.client, RedisConnectorSettings.defaults("ratelimit")
				.withBreaker(2, Duration.ofMillis(200))
				.withCommandTimeout(commandTimeout));
			this.connector.connect();
			await().atMost(BOUND).until(this.connector::isAvailable);
			this.limiter = new RateLimiter(TIERS, new RedisRateLimiter(this.connector), new LocalRateLimiter(1000),
					this.registry);
		}

		@Override
		public void close() {
			this.connector.close();
			this.client.shutdown();
		}

	}

}
