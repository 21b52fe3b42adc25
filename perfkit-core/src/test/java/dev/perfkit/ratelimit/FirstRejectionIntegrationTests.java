package dev.perfkit.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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
 * A flood on a key that is already limited, on instances that have not yet seen it
 * rejected: each instance sends Redis at most one script call for the key per reset
 * interval (concurrent checks wait for the one in flight and take its rejection), every
 * decision is a rejection with Redis's figures, and coalescing never admits more than
 * Redis would. Calls are counted by Redis itself ({@code INFO commandstats}).
 */
class FirstRejectionIntegrationTests {

	private static final int THREADS = 64;

	/** Long windows: the whole test runs inside one reset interval. */
	private static final Tier LOG = new Tier("log", List.of(Limit.parse("5/1h")), Algorithm.SLIDING_LOG,
			FailurePolicy.DENY, Map.of());

	private static final Tier BUCKET = new Tier("bucket", List.of(Limit.parse("5/1h"), Limit.parse("50/1d")),
			Algorithm.TOKEN_BUCKET, FailurePolicy.DENY, Map.of());

	private static final Tier WINDOW = new Tier("window", List.of(Limit.parse("5/1h")), Algorithm.SLIDING_WINDOW,
			FailurePolicy.DENY, Map.of());

	private static final List<Tier> TIERS = List.of(LOG, BUCKET, WINDOW);

	@Test
	void sixtyFourThreadsOnAKeyAnotherInstanceExhaustedCostEachInstanceOneScriptCall() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); Instance a = new Instance(redis); Instance b = new Instance(redis)) {
			for (Tier tier : TIERS) {
				String key = "flooded-" + tier.name();
				for (int i = 0; i < 5; i++) {
					assertThat(a.limiter.check(tier.name(), null, key, 1).allowed()).isTrue();
				}
				resetStats(redis);
				List<Decision> onB = flood(b.limiter, tier.name(), key);
				assertThat(scriptCalls(redis)).as("%s: script calls of instance B", tier.name()).isLessThanOrEqualTo(1);
				resetStats(redis);
				List<Decision> onA = flood(a.limiter, tier.name(), key);
				assertThat(scriptCalls(redis)).as("%s: script calls of instance A", tier.name()).isLessThanOrEqualTo(1);
				assertCorrectRejections(redis, a, tier, key, onB);
				assertCorrectRejections(redis, a, tier, key, onA);
			}
		}
	}

	@Test
	void bothInstancesFloodedAtOnceEachSendOneScriptCall() throws Exception {
		try (RedisProcess redis = RedisProcess.start();
				Instance exhauster = new Instance(redis);
				Instance a = new Instance(redis);
				Instance b = new Instance(redis)) {
			for (Tier tier : TIERS) {
				String key = "both-" + tier.name();
				for (int i = 0; i < 5; i++) {
					assertThat(exhauster.limiter.check(tier.name(), null, key, 1).allowed()).isTrue();
				}
				resetStats(redis);
				ExecutorService two = Executors.newFixedThreadPool(2);
				try {
					Future<List<Decision>> onA = two.submit(() -> flood(a.limiter, tier.name(), key));
					Future<List<Decision>> onB = two.submit(() -> flood(b.limiter, tier.name(), key));
					List<Decision> decisions = new ArrayList<>(onA.get(60, TimeUnit.SECONDS));
					decisions.addAll(onB.get(60, TimeUnit.SECONDS));
					assertThat(scriptCalls(redis)).as("%s: script calls of both instances", tier.name())
						.isLessThanOrEqualTo(2);
					assertCorrectRejections(redis, a, tier, key, decisions);
				}
				finally {
					two.shutdownNow();
				}
			}
		}
	}

	@Test
	void sixtyFourAsyncChecksOnAKeyAnotherInstanceExhaustedCostOneScriptCall() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); Instance a = new Instance(redis); Instance b = new Instance(redis)) {
			for (Tier tier : TIERS) {
				String key = "async-" + tier.name();
				for (int i = 0; i < 5; i++) {
					assertThat(a.limiter.check(tier.name(), null, key, 1).allowed()).isTrue();
				}
				resetStats(redis);
				// Issued back to back from one thread: all of them are sent before Redis can answer the first.
				List<CompletableFuture<Decision>> checks = new ArrayList<>();
				for (int i = 0; i < THREADS; i++) {
					checks.add(b.limiter.checkAsync(tier.name(), null, key, 1));
				}
				List<Decision> decisions = checks.stream().map(CompletableFuture::join).toList();
				assertThat(scriptCalls(redis)).as("%s: async script calls", tier.name()).isLessThanOrEqualTo(1);
				assertCorrectRejections(redis, a, tier, key, decisions);
			}
		}
	}

	/**
	 * Coalescing must not cost exactness: on a fresh key, many threads on two instances,
	 * blocking and non-blocking, random costs, never get more through than the limit, and
	 * the limiter's admissions agree with what Redis counted.
	 */
	@Test
	void coalescedChecksNeverAdmitMoreThanRedisWould() throws Exception {
		long seed = Long.getLong("perfkit.test.seed", new Random().nextLong());
		System.out.println("FirstRejectionIntegrationTests seed " + seed + " (replay with -Dperfkit.test.seed=" + seed
				+ ")");
		Random random = new Random(seed);
		int rounds = Integer.getInteger("perfkit.test.rounds", 6);
		try (RedisProcess redis = RedisProcess.start(); Instance a = new Instance(redis); Instance b = new Instance(redis)) {
			for (int round = 0; round < rounds; round++) {
				Tier tier = TIERS.get(random.nextInt(TIERS.size()));
				String key = "exact-" + round;
				int threads = 8 + random.nextInt(THREADS);
				long[] costs = new long[threads];
				boolean[] async = new boolean[threads];
				Instance[] instance = new Instance[threads];
				for (int i = 0; i < threads; i++) {
					costs[i] = 1 + random.nextInt(2);
					async[i] = random.nextBoolean();
					instance[i] = random.nextBoolean() ? a : b;
				}
				ExecutorService pool = Executors.newFixedThreadPool(threads);
				CyclicBarrier start = new CyclicBarrier(threads);
				List<Future<Decision>> futures = new ArrayList<>();
				try {
					for (int i = 0; i < threads; i++) {
						int n = i;
						futures.add(pool.submit(() -> {
							start.await(30, TimeUnit.SECONDS);
							return async[n] ? instance[n].limiter.checkAsync(tier.name(), null, key, costs[n]).join()
									: instance[n].limiter.check(tier.name(), null, key, costs[n]);
						}));
					}
					long admitted = 0;
					boolean cheapestRejected = false;
					for (int i = 0; i < threads; i++) {
						Decision decision = futures.get(i).get(60, TimeUnit.SECONDS);
						if (decision.allowed()) {
							admitted += costs[i];
						}
						else if (costs[i] == 1) {
							cheapestRejected = true;
						}
					}
					assertThat(admitted).as("seed %d round %d (%s, %d threads): permits admitted", seed, round,
							tier.name(), threads).isLessThanOrEqualTo(5);
					if (cheapestRejected) {
						assertThat(admitted).as("seed %d round %d: a check of cost 1 was rejected with room left",
								seed, round).isEqualTo(5);
					}
					Decision truth = new RedisRateLimiter(a.connector).check(tier.quota(null), key, 1, true);
					assertThat(truth.remaining()).as("seed %d round %d: Redis's count", seed, round)
						.isEqualTo(5 - admitted);
				}
				finally {
					pool.shutdownNow();
					pool.awaitTermination(10, TimeUnit.SECONDS);
				}
			}
		}
	}

	/** Every decision rejects with Redis's own figures: the same limit, nothing left, the same instants. */
	private static void assertCorrectRejections(RedisProcess redis, Instance instance, Tier tier, String key,
			List<Decision> decisions) {
		// Redis's own answer now, charging nothing: the instants of an exhausted key stay put.
		Decision truth = new RedisRateLimiter(instance.connector).check(tier.quota(null), key, 1, true);
		assertThat(truth.allowed()).isFalse();
		long reset = truth.timeMillis() + truth.resetMillis();
		long retry = truth.timeMillis() + truth.retryAfterMillis();
		assertThat(decisions).hasSizeGreaterThanOrEqualTo(THREADS).allSatisfy((decision) -> {
			assertThat(decision.allowed()).as("%s: admitted", tier.name()).isFalse();
			assertThat(decision.source()).isIn(Decision.Source.REDIS, Decision.Source.SHORTCUT);
			assertThat(decision.limit()).isEqualTo(truth.limit());
			assertThat(decision.remaining()).isZero();
			assertThat(decision.retryAfterSeconds()).isPositive();
			// give or take the rounding of the time since Redis answered, never later than Redis
			assertThat(decision.timeMillis() + decision.resetMillis()).as("%s: reset", tier.name())
				.isBetween(reset - 2, reset);
			assertThat(decision.timeMillis() + decision.retryAfterMillis()).as("%s: retry", tier.name())
				.isBetween(retry - 2, retry);
		});
	}

	private static List<Decision> flood(RateLimiter limiter, String tier, String key) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(THREADS);
		CyclicBarrier start = new CyclicBarrier(THREADS);
		try {
			List<Future<Decision>> futures = new ArrayList<>();
			for (int i = 0; i < THREADS; i++) {
				futures.add(pool.submit(() -> {
					start.await(30, TimeUnit.SECONDS);
					return limiter.check(tier, null, key, 1);
				}));
			}
			List<Decision> decisions = new ArrayList<>();
			for (Future<Decision> future : futures) {
				decisions.add(future.get(60, TimeUnit.SECONDS));
			}
			return decisions;
		}
		finally {
			pool.shutdownNow();
			pool.awaitTermination(10, TimeUnit.SECONDS);
		}
	}

	private static void resetStats(RedisProcess redis) {
		Resp.call("127.0.0.1", redis.port(), "CONFIG", "RESETSTAT");
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

	/** One application instance: a connector of its own and a limiter with the shortcut. */
	private static final class Instance implements AutoCloseable {

		final RedisClient client;

		final RedisConnector connector;

		final RateLimiter limiter;

		Instance(RedisProcess redis) {
			this.client = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
			this.connector = new RedisConnector(() -> this.client,
					RedisConnectorSettings.defaults("ratelimit").withCommandTimeout(Duration.ofSeconds(10)));
			this.connector.connect();
			await().atMost(Duration.ofSeconds(20)).until(this.connector::isAvailable);
			this.limiter = new RateLimiter(Map.of(LOG.name(), LOG, BUCKET.name(), BUCKET, WINDOW.name(), WINDOW),
					new RedisRateLimiter(this.connector), new LocalRateLimiter(1000), null);
		}

		@Override
		public void close() {
			this.connector.close();
			this.client.shutdown();
		}

	}

}
