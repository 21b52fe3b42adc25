package dev.perfkit.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorSettings;
import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shared test vectors: the local limiter and the Redis script, on the same controlled
 * times, give the same decisions to the millisecond.
 */
class BackendVectorsIntegrationTests {

	private static final long T0 = 1_800_000_000_000L;

	private static RedisClient client;

	private static RedisConnector connector;

	private final String prefix = UUID.randomUUID().toString();

	@BeforeAll
	static void connect() {
		RedisEndpoint redis = TestRedis.get();
		client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
		// A generous command timeout: a slow answer on a loaded machine must not fail a vector.
		connector = new RedisConnector(() -> client,
				RedisConnectorSettings.defaults("ratelimit-test").withCommandTimeout(java.time.Duration.ofSeconds(10)));
		connector.connect();
		await().atMost(java.time.Duration.ofSeconds(20)).until(connector::isAvailable);
	}

	@AfterAll
	static void close() {
		connector.close();
		client.shutdown();
	}

	@Test
	void slidingLogVectorsDecideTheSameOnBothBackendsWithExactFigures() {
		Quota quota = quota(Algorithm.SLIDING_LOG, "3/1m");
		List<Decision> decisions = bothAgree(quota, new long[][] {
				// time offset, cost, dry run
				{ 0, 1, 0 }, { 10_000, 1, 0 }, { 20_000, 1, 0 }, { 30_000, 1, 0 }, { 60_000, 1, 0 },
				{ 60_001, 1, 1 }, { 69_999, 1, 0 }, { 70_000, 1, 0 } });
		assertThat(decisions).extracting(Decision::allowed)
			.containsExactly(true, true, true, false, true, false, false, true);
		Decision fourth = decisions.get(3);
		assertThat(fourth.remaining()).isZero();
		assertThat(fourth.retryAfterMillis()).isEqualTo(30_000);
		assertThat(fourth.resetMillis()).isEqualTo(50_000);
		Decision first = decisions.get(0);
		assertThat(first.remaining()).isEqualTo(2);
		assertThat(first.resetMillis()).isEqualTo(60_000);
		assertThat(decisions.get(7).remaining()).isZero();
	}

	@Test
	void tokenBucketVectorsDecideTheSameOnBothBackendsWithExactFigures() {
		Quota quota = quota(Algorithm.TOKEN_BUCKET, "5/1m");
		List<Decision> decisions = bothAgree(quota, new long[][] { { 0, 5, 0 }, { 1, 1, 0 }, { 11_999, 1, 0 },
				{ 12_000, 1, 0 }, { 12_000, 1, 0 }, { 30_000, 2, 1 }, { 30_000, 1, 0 }, { 500_000, 3, 0 } });
		assertThat(decisions).extracting(Decision::allowed)
			.containsExactly(true, false, false, true, false, false, true, true);
		assertThat(decisions.get(0).remaining()).isZero();
		assertThat(decisions.get(0).resetMillis()).isEqualTo(60_000);
		assertThat(decisions.get(1).retryAfterMillis()).isEqualTo(11_999);
		assertThat(decisions.get(4).retryAfterMillis()).isEqualTo(12_000);
		assertThat(decisions.get(5).retryAfterMillis()).isEqualTo(6_000);
		assertThat(decisions.get(7).remaining()).isEqualTo(2);
	}

	@Test
	void slidingWindowVectorsDecideTheSameOnBothBackendsWithExactFigures() {
		// T0 is a whole minute, so the fixed windows begin at +0, +60s, ...
		Quota quota = quota(Algorithm.SLIDING_WINDOW, "10/1m");
		List<Decision> decisions = bothAgree(quota, new long[][] { { 0, 5, 0 }, { 0, 5, 0 }, { 30_000, 1, 0 },
				{ 66_000, 1, 0 }, { 66_000, 1, 0 }, { 72_000, 1, 1 }, { 72_000, 1, 0 }, { 200_000, 10, 0 } });
		assertThat(decisions).extracting(Decision::allowed)
			.containsExactly(true, true, false, true, false, true, true, true);
		assertThat(decisions.get(1).remaining()).isZero();
		assertThat(decisions.get(1).resetMillis()).isEqualTo(120_000);
		// full window: the next fits once 9/10 of it is weighted out, 6 s into the next window
		assertThat(decisions.get(2).retryAfterMillis()).isEqualTo(36_000);
		// at +66s the previous window weighs 10·54/60 = 9, plus 1: full
		assertThat(decisions.get(3).remaining()).isZero();
		assertThat(decisions.get(4).retryAfterMillis()).isEqualTo(6_000);
		assertThat(decisions.get(7).remaining()).isZero();
	}

	@Test
	void twoWindowsChargeNothingWhenOneRejectsAndReportTheBindingWindow() {
		Quota quota = quota(Algorithm.TOKEN_BUCKET, "10/1h", "12/30d");
		long[][] steps = new long[15][];
		for (int i = 0; i < 14; i++) {
			steps[i] = new long[] { i * 1000L, 1, 0 };
		}
		steps[14] = new long[] { 3_600_000, 2, 0 };
		List<Decision> decisions = bothAgree(quota, steps);
		assertThat(decisions.get(9).allowed()).isTrue();
		assertThat(decisions.get(9).limit()).hasToString("10/1h");
		assertThat(decisions.get(9).remaining()).isZero();
		assertThat(decisions.get(10).allowed()).isFalse();
		assertThat(decisions.get(10).limit()).hasToString("10/1h");
		// one token of 10/1h takes 6 minutes; the 10 s since the first request already count
		assertThat(decisions.get(10).retryAfterMillis()).isEqualTo(360_000 - 10_000);
		// the month window was not charged by the four rejected requests: 2 of 12 are left
		assertThat(decisions.get(14).allowed()).isTrue();
		assertThat(decisions.get(14).limit()).hasToString("12/30d");
		assertThat(decisions.get(14).remaining()).isZero();
	}

	@Test
	void slidingLogWithTwoWindowsChargesNothingWhenOneRejects() {
		Quota quota = quota(Algorithm.SLIDING_LOG, "2/1s", "3/1m");
		List<Decision> decisions = bothAgree(quota, new long[][] { { 0, 1, 0 }, { 1, 1, 0 }, { 2, 1, 0 },
				{ 1000, 1, 0 }, { 1500, 1, 0 }, { 1501, 1, 0 } });
		assertThat(decisions).extracting(Decision::allowed).containsExactly(true, true, false, true, false, false);
		assertThat(decisions.get(2).limit()).hasToString("2/1s");
		assertThat(decisions.get(2).retryAfterMillis()).isEqualTo(998);
		assertThat(decisions.get(4).limit()).hasToString("3/1m");
		assertThat(decisions.get(4).retryAfterMillis()).isEqualTo(60_000 - 1500);
	}

	@Test
	void randomTrafficDecidesTheSameOnBothBackendsAndNoSlidingWindowAdmitsMoreThanItsLimit() {
		Random random = new Random(42);
		for (Quota quota : List.of(quota(Algorithm.SLIDING_LOG, "4/10s", "9/1m"),
				quota(Algorithm.TOKEN_BUCKET, "4/10s", "9/1m"), quota(Algorithm.TOKEN_BUCKET, "7/9s"),
				quota(Algorithm.SLIDING_WINDOW, "4/10s", "9/1m"), quota(Algorithm.SLIDING_WINDOW, "7/9s"))) {
			Algorithm algorithm = quota.algorithm();
			long[][] steps = new long[300][];
			long time = 0;
			for (int i = 0; i < steps.length; i++) {
				time += random.nextInt(2500);
				steps[i] = new long[] { time, 1 + random.nextInt(2), random.nextInt(10) == 0 ? 1 : 0 };
			}
			List<Decision> decisions = bothAgree(quota, steps);
			if (algorithm == Algorithm.SLIDING_LOG) {
				List<Long> admitted = new ArrayList<>();
				for (int i = 0; i < steps.length; i++) {
					if (decisions.get(i).allowed() && steps[i][2] == 0) {
						for (int c = 0; c < steps[i][1]; c++) {
							admitted.add(steps[i][0]);
						}
					}
				}
				assertNoWindowExceeds(admitted, 10_000, 4);
				assertNoWindowExceeds(admitted, 60_000, 9);
				assertThat(admitted).hasSizeGreaterThan(20);
			}
			if (algorithm == Algorithm.SLIDING_WINDOW) {
				// the stated error: no fixed window above N, no sliding one above 2N
				List<Long> admitted = new ArrayList<>();
				for (int i = 0; i < steps.length; i++) {
					if (decisions.get(i).allowed() && steps[i][2] == 0) {
						for (int c = 0; c < steps[i][1]; c++) {
							admitted.add(T0 + steps[i][0]);
						}
					}
				}
				for (Limit limit : quota.limits()) {
					long window = limit.windowMillis();
					assertNoWindowExceeds(admitted, window, 2 * limit.capacity());
					assertThat(admitted.stream().collect(java.util.stream.Collectors.groupingBy(
							(t) -> Math.floorDiv(t, window), java.util.stream.Collectors.counting())).values())
						.allSatisfy((count) -> assertThat(count).isLessThanOrEqualTo(limit.capacity()));
				}
				assertThat(admitted).hasSizeGreaterThan(20);
			}
		}
	}

	@Test
	void aRefundForgetsTheChargeOnBothBackendsAlike() {
		for (Algorithm algorithm : Algorithm.values()) {
			Quota quota = quota(algorithm, "2/1m");
			AtomicLong clock = new AtomicLong();
			LocalRateLimiter local = new LocalRateLimiter(100, clock::get, Decision.Source.LOCAL);
			RedisRateLimiter redis = new RedisRateLimiter(connector);
			String key = "k-" + UUID.randomUUID();
			List<Decision> decisions = new ArrayList<>();
			for (long at : new long[] { 0, 1_000, 2_000, 3_000, 4_000 }) {
				clock.set(T0 + at);
				if (at == 2_000) {
					// the charge made at +0 turns out not to be due
					local.refund(quota, key, 1, T0);
					redis.refund(quota, key, 1, T0, T0 + at);
					continue;
				}
				Decision onLocal = local.check(quota, key, 1, false);
				Decision onRedis = redis.check(quota, key, 1, false, T0 + at);
				assertThat(onRedis).as("%s at +%d ms", algorithm, at).usingRecursiveComparison()
					.ignoringFields("source").isEqualTo(onLocal);
				decisions.add(onLocal);
			}
			assertThat(decisions).extracting(Decision::allowed).as("%s", algorithm)
				.containsExactly(true, true, true, false);
			// the log forgot the entry of +0, not the one of +1s: the next permit frees at +61s
			// the window counter: 2 in the current minute, the next fits 30 s into the next one
			long retry = switch (algorithm) {
				case SLIDING_LOG -> 57_000;
				case TOKEN_BUCKET -> 26_000;
				case SLIDING_WINDOW -> 86_000;
			};
			assertThat(decisions.get(3).retryAfterMillis()).as("%s", algorithm).isEqualTo(retry);
		}
	}

	static void assertNoWindowExceeds(List<Long> admitted, long window, long limit) {
		// Any window [s, s+W) holding the most permits can start at an admitted time.
		for (int i = 0; i < admitted.size(); i++) {
			long start = admitted.get(i);
			long inWindow = admitted.stream().filter((t) -> t >= start && t < start + window).count();
			assertThat(inWindow).as("permits in [%d, %d)", start, start + window).isLessThanOrEqualTo(limit);
		}
	}

	private Quota quota(Algorithm algorithm, String... limits) {
		return new Quota("vectors-" + this.prefix, null, algorithm, List.of(limits).stream().map(Limit::parse).toList());
	}

	private List<Decision> bothAgree(Quota quota, long[][] steps) {
		AtomicLong clock = new AtomicLong();
		LocalRateLimiter local = new LocalRateLimiter(100, clock::get, Decision.Source.LOCAL);
		RedisRateLimiter redis = new RedisRateLimiter(connector);
		String key = "k-" + UUID.randomUUID();
		List<Decision> decisions = new ArrayList<>();
		for (long[] step : steps) {
			clock.set(T0 + step[0]);
			Decision onLocal = local.check(quota, key, step[1], step[2] == 1);
			Decision onRedis = redis.check(quota, key, step[1], step[2] == 1, T0 + step[0]);
			assertThat(onRedis).as("step at +%d ms", step[0])
				.usingRecursiveComparison()
				.ignoringFields("source")
				.isEqualTo(onLocal);
			decisions.add(onLocal);
		}
		return decisions;
	}

}
