package dev.perfkit.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorSettings;
import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.Resp;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The local "over limit until T" shortcut on a Redis server of the tests' own: it spares
 * Redis the calls of a flood on a limited key, and never rejects a check that Redis would
 * have admitted at that moment.
 */
class ShortcutIntegrationTests {

	private static final Tier AUTH = Tiers.builtIn(Tiers.AUTH);

	private static final Tier BURSTY = new Tier("bursty", List.of(Limit.parse("3/400ms")), Algorithm.TOKEN_BUCKET,
			FailurePolicy.ALLOW, Map.of());

	private static final Tier WINDOWED = new Tier("windowed", List.of(Limit.parse("2/300ms")),
			Algorithm.SLIDING_LOG, FailurePolicy.ALLOW, Map.of());

	/**
	 * Long enough that a check right after a rejection always falls before its retry
	 * time, however slow the machine.
	 */
	private static final Tier SLOW_WINDOW = new Tier("slow-window", List.of(Limit.parse("2/2s")),
			Algorithm.SLIDING_LOG, FailurePolicy.ALLOW, Map.of());

	@Test
	void aKeyRedisRejectedIsRejectedLocallyWithAgedFiguresUntilItsRetryTime() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); Fixture fixture = new Fixture(redis)) {
			for (int i = 0; i < 5; i++) {
				assertThat(fixture.limiter.check(Tiers.AUTH, null, "ip:a", 1).allowed()).isTrue();
			}
			Decision redisRejection = fixture.limiter.check(Tiers.AUTH, null, "ip:a", 1);
			assertThat(redisRejection.source()).isEqualTo(Decision.Source.REDIS);
			Resp.call("127.0.0.1", redis.port(), "CONFIG", "RESETSTAT");
			for (int i = 0; i < 1000; i++) {
				Decision local = fixture.limiter.check(Tiers.AUTH, null, "ip:a", 1);
				assertThat(local.allowed()).isFalse();
				assertThat(local.source()).isEqualTo(Decision.Source.SHORTCUT);
				assertThat(local.limit()).isEqualTo(redisRejection.limit());
				assertThat(local.remaining()).isZero();
				assertThat(local.retryAfterMillis()).isBetween(1L, redisRejection.retryAfterMillis());
				// the reset stays the same instant, give or take the rounding of elapsed time
				assertThat(local.timeMillis() + local.resetMillis())
					.isBetween(redisRejection.timeMillis() + redisRejection.resetMillis() - 1,
							redisRejection.timeMillis() + redisRejection.resetMillis());
			}
			// another key, and a cheaper check of the same key, still ask Redis
			assertThat(fixture.limiter.check(Tiers.AUTH, null, "ip:b", 1).source()).isEqualTo(Decision.Source.REDIS);
			assertThat(scriptCalls(redis)).isEqualTo(1);
			assertThat(fixture.limiter.snapshot().tiers().stream().filter((tier) -> tier.name().equals("auth"))
				.findFirst().orElseThrow().rejected()).isEqualTo(1001);
		}
	}

	@Test
	void theShortcutNeverRejectsWhatRedisWouldAdmitAtThatMoment() throws Exception {
		long seed = Long.getLong("perfkit.test.seed", new Random().nextLong());
		System.out.println("ShortcutIntegrationTests seed " + seed + " (replay with -Dperfkit.test.seed=" + seed + ")");
		Random random = new Random(seed);
		try (RedisProcess redis = RedisProcess.start(); Fixture fixture = new Fixture(redis)) {
			RedisRateLimiter backend = new RedisRateLimiter(fixture.connector);
			long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
			int shortcuts = 0;
			while (System.nanoTime() < deadline) {
				Tier tier = random.nextBoolean() ? BURSTY : WINDOWED;
				String key = "k" + random.nextInt(3);
				long cost = 1 + random.nextInt(2);
				// Ask Redis first, charging nothing: when it would admit now, it admits at
				// any later moment too (nothing else charges this key), so the shortcut
				// deciding right after must not reject.
				boolean redisWouldAdmit = backend.check(tier.quota(null), key, cost, true).allowed();
				Decision decision = fixture.limiter.check(tier.name(), null, key, cost);
				if (decision.source() == Decision.Source.SHORTCUT) {
					shortcuts++;
					assertThat(redisWouldAdmit).as("seed %d: shortcut rejected %s cost %d that Redis admitted", seed,
							key, cost).isFalse();
				}
			}
			assertThat(shortcuts).as("seed %d", seed).isPositive();
		}
	}

	@Test
	void aRejectedKeyAsksRedisAgainOnceItsRetryTimeHasPassed() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); Fixture fixture = new Fixture(redis)) {
			for (int i = 0; i < 2; i++) {
				assertThat(fixture.limiter.check("slow-window", null, "k", 1).allowed()).isTrue();
			}
			Decision rejected = fixture.limiter.check("slow-window", null, "k", 1);
			assertThat(rejected.allowed()).isFalse();
			assertThat(rejected.source()).isEqualTo(Decision.Source.REDIS);
			assertThat(fixture.limiter.check("slow-window", null, "k", 1).source()).isEqualTo(Decision.Source.SHORTCUT);
			await().atMost(Duration.ofSeconds(20))
				.until(() -> fixture.limiter.check("slow-window", null, "k", 1).allowed());
		}
	}

	private static long scriptCalls(RedisProcess redis) {
		String stats = String.valueOf(Resp.call("127.0.0.1", redis.port(), "INFO", "commandstats"));
		long calls = 0;
		for (String line : stats.split("\\r?\\n")) {
			if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
				String value = line.substring(line.indexOf("calls=") + 6);
				calls += Long.parseLong(value.substring(0, value.indexOf(',')));
			}
		}
		return calls;
	}

	private static final class Fixture implements AutoCloseable {

		final RedisClient client;

		final RedisConnector connector;

		final RateLimiter limiter;

		Fixture(RedisProcess redis) {
			this.client = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
			this.connector = new RedisConnector(() -> this.client,
					RedisConnectorSettings.defaults("ratelimit").withCommandTimeout(Duration.ofSeconds(10)));
			this.connector.connect();
			await().atMost(Duration.ofSeconds(20)).until(this.connector::isAvailable);
			this.limiter = new RateLimiter(
					Map.of(Tiers.AUTH, AUTH, "bursty", BURSTY, "windowed", WINDOWED, "slow-window", SLOW_WINDOW),
					new RedisRateLimiter(this.connector), new LocalRateLimiter(1000), null);
		}

		@Override
		public void close() {
			this.connector.close();
			this.client.shutdown();
		}

	}

}
