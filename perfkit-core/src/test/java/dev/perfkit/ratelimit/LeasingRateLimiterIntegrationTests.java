package dev.perfkit.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorSettings;
import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.Resp;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Permit leasing ({@link LeasingRateLimiter}) on a Redis server of the tests' own: it
 * spares Redis calls for a hot key, and two instances leasing the same keys from many
 * threads never admit more in total than the limit allows.
 */
class LeasingRateLimiterIntegrationTests {

	private static final Duration BOUND = Duration.ofSeconds(20);

	@Test
	void aHotKeyIsServedFromLeasesWithFarFewerScriptCallsThanChecks() {
		Tier tier = tier("hot", "1000/1d");
		try (RedisProcess redis = RedisProcess.start();
				Instance instance = new Instance(redis, Map.of("hot", tier), Map.of("hot", policy(50, "10s")))) {
			Resp.call("127.0.0.1", redis.port(), "CONFIG", "RESETSTAT");
			long previousRemaining = Long.MAX_VALUE;
			for (int i = 0; i < 400; i++) {
				Decision decision = instance.limiter.check("hot", null, "k", 1);
				assertThat(decision.allowed()).isTrue();
				assertThat(decision.source()).isEqualTo(Decision.Source.REDIS);
				// Redis's permits left plus this lease's: one fewer on every check here
				assertThat(decision.remaining()).isLessThan(previousRemaining);
				previousRemaining = decision.remaining();
			}
			assertThat(previousRemaining).isEqualTo(600);
			// the first check asks for its own permit, then leases of 4, 8, 16, 32, 50, 50, ...
			assertThat(scriptCalls(redis)).isBetween(8L, 14L);
		}
	}

	@Test
	void aKeyCheckedOnceIsNeverLeased() {
		Tier tier = tier("hot", "1000/1d");
		try (RedisProcess redis = RedisProcess.start();
				Instance instance = new Instance(redis, Map.of("hot", tier), Map.of("hot", policy(50, "10s")))) {
			for (int i = 0; i < 20; i++) {
				assertThat(instance.limiter.check("hot", null, "k" + i, 1).remaining()).isEqualTo(999);
			}
			RedisRateLimiter plain = new RedisRateLimiter(instance.connector);
			for (int i = 0; i < 20; i++) {
				assertThat(plain.check(tier.quota(null), "k" + i, 1, true).remaining()).isEqualTo(999);
			}
		}
	}

	@Test
	void aLeaseTakesWhatIsLeftWhenTheBucketHoldsLessThanTheBatchAndNeverMore() {
		Tier tier = tier("hot", "30/1d");
		try (RedisProcess redis = RedisProcess.start();
				Instance instance = new Instance(redis, Map.of("hot", tier), Map.of("hot", policy(16, "10s")))) {
			int admitted = 0;
			for (int i = 0; i < 100; i++) {
				admitted += instance.limiter.check("hot", null, "k", 1).allowed() ? 1 : 0;
			}
			assertThat(admitted).isEqualTo(30);
			assertThat(new RedisRateLimiter(instance.connector).check(tier.quota(null), "k", 1, true).allowed())
				.isFalse();
		}
	}

	@Test
	void aDryRunIsAnsweredFromALeaseThatCouldPayIt() {
		Tier tier = tier("hot", "1000/1d");
		try (RedisProcess redis = RedisProcess.start();
				Instance instance = new Instance(redis, Map.of("hot", tier), Map.of("hot", policy(50, "1h")))) {
			for (int i = 0; i < 2; i++) {
				instance.limiter.check("hot", null, "k", 1);
			}
			// the second check leased 4 permits: 3 are left
			Resp.call("127.0.0.1", redis.port(), "CONFIG", "RESETSTAT");
			for (int i = 0; i < 10; i++) {
				assertThat(instance.limiter.check("hot", null, "k", 3, true).allowed()).isTrue();
			}
			assertThat(scriptCalls(redis)).isZero();
			assertThat(instance.limiter.check("hot", null, "k", 1).allowed()).isTrue();
			assertThat(scriptCalls(redis)).isZero();
		}
	}

	@Test
	void permitsLeftInALeaseLapseOnceTheLeaseDurationHasPassedSinceItsCall() {
		Tier tier = tier("hot", "1000/1d");
		try (RedisProcess redis = RedisProcess.start();
				Instance instance = new Instance(redis, Map.of("hot", tier), Map.of("hot", policy(50, "200ms")))) {
			for (int i = 0; i < 2; i++) {
				instance.limiter.check("hot", null, "k", 1);
			}
			// The second check leased 4 permits: 3 are left. Its call was sent before now, so
			// once 200 ms have passed from now the lease has lapsed. This lets time pass on
			// purpose (the behaviour is about elapsed time); nothing asynchronous is awaited.
			long leased = System.nanoTime();
			Resp.call("127.0.0.1", redis.port(), "CONFIG", "RESETSTAT");
			while (System.nanoTime() - leased < TimeUnit.MILLISECONDS.toNanos(200)) {
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
			}
			// a dry run spends nothing: only the lapse sends it to Redis
			assertThat(instance.limiter.check("hot", null, "k", 1, true).allowed()).isTrue();
			assertThat(scriptCalls(redis)).isEqualTo(1);
		}
	}

	@Test
	void aLeaseSpendsItsPermitsWhileRedisIsDownThenFailedLeaseCallsGoToThePolicyAndLeasingResumes() throws Exception {
		Tier tier = tier("hot", "1000/1d");
		try (RedisProcess redis = RedisProcess.start();
				Instance instance = new Instance(redis, Map.of("hot", tier), Map.of("hot", policy(50, "1h")))) {
			for (int i = 0; i < 3; i++) {
				assertThat(instance.limiter.check("hot", null, "k", 1).allowed()).isTrue();
			}
			redis.kill();
			// the lease of 4 taken on the second check still holds 2 permits, paid for in Redis
			for (int i = 0; i < 2; i++) {
				assertThat(instance.limiter.check("hot", null, "k", 1).source()).isEqualTo(Decision.Source.REDIS);
			}
			// then every check needs a lease call, which fails: the tier's policy (deny)
			// decides, on 64 threads at once, and none is left waiting for a lease
			ExecutorService pool = Executors.newFixedThreadPool(64);
			try {
				List<Future<Decision>> decisions = new ArrayList<>();
				for (int t = 0; t < 64; t++) {
					boolean sync = t % 2 == 0;
					decisions.add(pool.submit(() -> sync ? instance.limiter.check("hot", null, "k", 1)
							: instance.limiter.checkAsync("hot", null, "k", 1).get(30, TimeUnit.SECONDS)));
				}
				for (Future<Decision> decision : decisions) {
					assertThat(decision.get(30, TimeUnit.SECONDS).source()).isEqualTo(Decision.Source.POLICY);
				}
			}
			finally {
				pool.shutdownNow();
			}
			redis.restart();
			await().atMost(BOUND).until(() -> {
				Decision decision = instance.limiter.check("hot", null, "k", 1);
				return decision.allowed() && decision.source() == Decision.Source.REDIS;
			});
		}
	}

	@Test
	void leasePoliciesRefuseWhatTheyCannotBound() {
		assertThatIllegalArgumentException().isThrownBy(() -> policy(1, "1s")).withMessageContaining("at least 2");
		assertThatIllegalArgumentException().isThrownBy(() -> policy(10, "0s")).withMessageContaining("at least 1ms");
		assertThatIllegalArgumentException().isThrownBy(() -> policy(10, "1s").requireFits(Tiers.builtIn(Tiers.AUTH)))
			.withMessageContaining("only token buckets");
		assertThatIllegalArgumentException().isThrownBy(() -> policy(10, "1s").requireFits(tier("t", "5/1m")))
			.withMessageContaining("fewer permits than the lease batch");
		assertThatIllegalArgumentException().isThrownBy(() -> policy(10, "2s").requireFits(tier("t", "50/1s")))
			.withMessageContaining("shorter than the lease duration");
	}

	/**
	 * The guarantee hunted: two instances (two connectors, two limiters, two leasing
	 * backends) and 64 threads checking a few keys at random costs, synchronously and
	 * asynchronously, admit per key at most what its token bucket holds plus what it
	 * refilled while the run lasted. Admissions are counted from the decisions; the
	 * limits' windows and the leases are drawn from the seed.
	 */
	@Test
	void twoInstancesLeasingFromSixtyFourThreadsNeverAdmitMoreThanTheLimit() throws Exception {
		long seed = Long.getLong("perfkit.test.seed", new Random().nextLong());
		System.out.println("LeasingRateLimiterIntegrationTests seed " + seed + " (replay with -Dperfkit.test.seed="
				+ seed + ")");
		Random random = new Random(seed);
		int rounds = Integer.getInteger("perfkit.test.rounds", 3);
		try (RedisProcess redis = RedisProcess.start()) {
			for (int round = 0; round < rounds; round++) {
				long capacity = 40 + random.nextInt(400);
				// a long window counts only the burst; a short one also refills during the run
				String window = random.nextBoolean() ? "1d" : (2 + random.nextInt(4)) + "s";
				Tier tier = tier("hunt" + round, capacity + "/" + window,
						random.nextBoolean() ? null : (capacity * 3) + "/1d");
				long batch = 2 + random.nextInt((int) Math.min(capacity, 64) - 1);
				LeasePolicy policy = new LeasePolicy(batch, Duration.ofMillis(20 + random.nextInt(900)));
				hunt(redis, tier, policy, new Random(random.nextLong()), seed, round);
			}
		}
	}

	private void hunt(RedisProcess redis, Tier tier, LeasePolicy policy, Random random, long seed, int round)
			throws Exception {
		int keys = 1 + random.nextInt(3);
		int checksPerThread = 200 + random.nextInt(400);
		Map<String, LongAdder> admitted = new ConcurrentHashMap<>();
		for (int k = 0; k < keys; k++) {
			admitted.put("k" + k, new LongAdder());
		}
		String description = "seed " + seed + " round " + round + ": " + tier + " leasing " + policy + ", " + keys
				+ " keys, " + checksPerThread + " checks per thread";
		try (Instance first = new Instance(redis, Map.of(tier.name(), tier), Map.of(tier.name(), policy));
				Instance second = new Instance(redis, Map.of(tier.name(), tier), Map.of(tier.name(), policy))) {
			Resp.call("127.0.0.1", redis.port(), "CONFIG", "RESETSTAT");
			ExecutorService pool = Executors.newFixedThreadPool(64);
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> done = new ArrayList<>();
			long[] threadSeeds = new long[64];
			for (int t = 0; t < 64; t++) {
				threadSeeds[t] = random.nextLong();
			}
			long began = System.currentTimeMillis();
			for (int t = 0; t < 64; t++) {
				Instance instance = (t % 2 == 0) ? first : second;
				Random threadRandom = new Random(threadSeeds[t]);
				done.add(pool.submit(() -> {
					start.await();
					for (int i = 0; i < checksPerThread; i++) {
						String key = "k" + threadRandom.nextInt(keys);
						long cost = 1 + threadRandom.nextInt(3);
						Decision decision = threadRandom.nextInt(4) == 0
								? instance.limiter.checkAsync(tier.name(), null, key, cost).get(30, TimeUnit.SECONDS)
								: instance.limiter.check(tier.name(), null, key, cost);
						assertThat(decision.source()).as(description).isNotEqualTo(Decision.Source.POLICY);
						if (decision.allowed()) {
							admitted.get(key).add(cost);
						}
					}
					return null;
				}));
			}
			start.countDown();
			try {
				for (Future<?> future : done) {
					future.get(5, TimeUnit.MINUTES);
				}
			}
			finally {
				pool.shutdownNow();
			}
			long elapsed = System.currentTimeMillis() - began + 2;
			long total = 0;
			for (Map.Entry<String, LongAdder> entry : admitted.entrySet()) {
				long count = entry.getValue().sum();
				total += count;
				for (Limit limit : tier.limits()) {
					// the bucket's capacity, plus its whole refill over the run (Redis's clock
					// is this host's, read from before the first check to after the last)
					long allowed = limit.capacity() + limit.capacity() * elapsed / limit.windowMillis();
					assertThat(count).as("%s: key %s admitted %d against %s over %d ms", description, entry.getKey(),
							count, limit, elapsed).isLessThanOrEqualTo(allowed);
				}
			}
			System.out.println(description + ": admitted " + total + " in " + elapsed + " ms with "
					+ scriptCalls(redis) + " script calls");
		}
	}

	/**
	 * The span bound hunted: over any span {@code T} a leased key is admitted at most
	 * {@code N + N·(T+L)/W} times. Each thread makes the key hot with a few checks (leases
	 * are taken and partly left unspent), goes idle for longer than the window (the bucket
	 * refills; a lease that did not lapse would still hold its permits), then bursts. An
	 * admission is counted in a span only when its check both started and returned inside
	 * it, so the count never exceeds the truth; a count above the bound is a proven
	 * violation. Pauses and bursts are drawn from the printed seed.
	 */
	@Test
	void overAnySpanALeasedKeyIsAdmittedAtMostOneLeaseDurationOfRefillMore() throws Exception {
		long seed = Long.getLong("perfkit.test.seed", new Random().nextLong());
		System.out.println("LeasingRateLimiterIntegrationTests span seed " + seed + " (replay with -Dperfkit.test.seed="
				+ seed + ")");
		Random random = new Random(seed);
		Limit limit = Limit.parse("20/1s");
		Tier tier = tier("span", limit.toString());
		LeasePolicy policy = new LeasePolicy(8, Duration.ofMillis(200));
		List<long[]> admissions = java.util.Collections.synchronizedList(new ArrayList<>());
		try (RedisProcess redis = RedisProcess.start();
				Instance first = new Instance(redis, Map.of("span", tier), Map.of("span", policy));
				Instance second = new Instance(redis, Map.of("span", tier), Map.of("span", policy))) {
			ExecutorService pool = Executors.newFixedThreadPool(16);
			try {
				List<Future<?>> done = new ArrayList<>();
				for (int t = 0; t < 16; t++) {
					Instance instance = (t % 2 == 0) ? first : second;
					Random threadRandom = new Random(random.nextLong());
					done.add(pool.submit(() -> {
						for (int round = 0; round < 4; round++) {
							// warm: a few checks, some leases left unspent
							for (int i = 0; i < 2 + threadRandom.nextInt(6); i++) {
								check(instance, admissions);
							}
							// idle past the lease duration (but not so long that the lease's entry
							// is dropped) or past the window: the bucket refills meanwhile, and a
							// lease that did not lapse would still hold its permits (this pause
							// shapes the workload; nothing waits for asynchronous work)
							TimeUnit.MILLISECONDS.sleep(threadRandom.nextBoolean() ? 250 + threadRandom.nextInt(100)
									: 1000 + threadRandom.nextInt(300));
							// burst
							for (int i = 0; i < 10 + threadRandom.nextInt(20); i++) {
								check(instance, admissions);
							}
						}
						return null;
					}));
				}
				for (Future<?> future : done) {
					future.get(2, TimeUnit.MINUTES);
				}
			}
			finally {
				pool.shutdownNow();
			}
		}
		List<long[]> bySent = new ArrayList<>(admissions);
		bySent.sort(java.util.Comparator.comparingLong((long[] a) -> a[0]));
		long leaseNanos = policy.duration().toNanos();
		for (long spanMillis : new long[] { 5, 50, 200, 500, 1000 }) {
			long span = TimeUnit.MILLISECONDS.toNanos(spanMillis);
			// Redis counts whole milliseconds: two more of slack on the span
			long bound = limit.capacity()
					+ limit.capacity() * (spanMillis + policy.duration().toMillis() + 2) / limit.windowMillis();
			for (int i = 0; i < bySent.size(); i++) {
				long from = bySent.get(i)[0];
				long count = 0;
				for (int j = i; j < bySent.size(); j++) {
					if (bySent.get(j)[1] - from <= span) {
						count++;
					}
				}
				assertThat(count)
					.as("seed %d: %d admissions certainly within %d ms (lease %d ms), bound %d", seed, count,
							spanMillis, TimeUnit.NANOSECONDS.toMillis(leaseNanos), bound)
					.isLessThanOrEqualTo(bound);
			}
		}
		System.out.println("span seed " + seed + ": " + admissions.size() + " admissions checked");
	}

	private static void check(Instance instance, List<long[]> admissions) {
		long sent = System.nanoTime();
		Decision decision = instance.limiter.check("span", null, "k", 1);
		long received = System.nanoTime();
		assertThat(decision.source()).isNotEqualTo(Decision.Source.POLICY);
		if (decision.allowed()) {
			admissions.add(new long[] { sent, received });
		}
	}

	private static Tier tier(String name, String... limits) {
		List<Limit> parsed = new ArrayList<>();
		for (String limit : limits) {
			if (limit != null) {
				parsed.add(Limit.parse(limit));
			}
		}
		// deny while Redis cannot answer: a policy admission would not be counted anywhere
		return new Tier(name, parsed, Algorithm.TOKEN_BUCKET, FailurePolicy.DENY, Map.of());
	}

	private static LeasePolicy policy(long batch, String duration) {
		return new LeasePolicy(batch, parse(duration));
	}

	private static Duration parse(String text) {
		if (text.endsWith("ms")) {
			return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
		}
		return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
	}

	private static long scriptCalls(RedisProcess redis) {
		String stats = String.valueOf(Resp.call("127.0.0.1", redis.port(), "INFO", "commandstats"));
		long calls = 0;
		for (String command : new String[] { "evalsha", "eval" }) {
			Matcher matcher = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(stats);
			calls += matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
		}
		return calls;
	}

	/** One application instance: its own connection, leasing backend and limiter. */
	private static final class Instance implements AutoCloseable {

		final RedisClient client;

		final RedisConnector connector;

		final RateLimiter limiter;

		Instance(RedisProcess redis, Map<String, Tier> tiers, Map<String, LeasePolicy> policies) {
			this.client = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
			// a generous timeout: this is about exactness, on a machine others load too
			this.connector = new RedisConnector(() -> this.client,
					RedisConnectorSettings.defaults("ratelimit").withCommandTimeout(Duration.ofSeconds(10)));
			this.connector.connect();
			await().atMost(BOUND).until(this.connector::isAvailable);
			this.limiter = new RateLimiter(tiers,
					new LeasingRateLimiter(new RedisRateLimiter(this.connector), policies, 1000),
					new LocalRateLimiter(1000), null);
		}

		@Override
		public void close() {
			this.connector.close();
			this.client.shutdown();
		}

	}

}
