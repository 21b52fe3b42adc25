package dev.perfkit.benchmarks.ratelimit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.perfkit.ratelimit.Algorithm;
import dev.perfkit.ratelimit.Decision;
import dev.perfkit.ratelimit.FailurePolicy;
import dev.perfkit.ratelimit.Limit;
import dev.perfkit.ratelimit.LocalRateLimiter;
import dev.perfkit.ratelimit.Quota;
import dev.perfkit.ratelimit.RateLimiter;
import dev.perfkit.ratelimit.RedisRateLimiter;
import dev.perfkit.ratelimit.Tier;
import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorSettings;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * One hot key, checked over and over: perfkit's Redis check (one EVALSHA) against
 * bucket4j's Lettuce proxy manager (compare-and-swap), with 1 and with 64 threads; and
 * perfkit's local check against a bare bucket4j bucket. The limits are so large that every
 * check admits, so both sides do the full work of a charge. Locally, perfkit's backend check
 * (key lookup, bucket, every header figure) is compared with a bare bucket asked for the
 * same figures ({@code tryConsumeAndReturnRemaining}) and, as the floor, with a bare
 * {@code tryConsume}; the whole limiter (tier and plan lookup, the request count, the
 * latency timer it samples) is measured too, and so is what per-key limiting with bucket4j alone looks like (buckets in a bounded
 * Caffeine cache, as bucket4j's documentation suggests). Every local side uses the same
 * limit and one hot key. Needs Redis at
 * {@code 127.0.0.1:6379} (override with {@code -Dredis.port=...}); keys are random and
 * expire.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RateLimitBenchmark {

	/** So large that every check admits: both sides always do a full charge. */
	static final long PERMITS_PER_SECOND = 1_000_000_000L;

	/**
	 * Wait, in a trial's setup and outside any measurement, until the connector's
	 * connection is up: it connects on a thread of its own, and JMH gives setup no other
	 * way to wait for it. Gives up after 10 s; the first check then reports the outage.
	 */
	static void awaitAvailable(RedisConnector connector) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!connector.isAvailable() && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
	}

	static Quota quota(String tier) {
		return new Quota(tier, null, Algorithm.TOKEN_BUCKET, List.of(new Limit(PERMITS_PER_SECOND, Duration.ofSeconds(1))));
	}

	static Bandwidth bandwidth() {
		return Bandwidth.builder().capacity(PERMITS_PER_SECOND).refillGreedy(PERMITS_PER_SECOND, Duration.ofSeconds(1)).build();
	}

	@State(Scope.Benchmark)
	public static class Redis {

		RedisClient client;

		RedisConnector connector;

		RedisRateLimiter perfkit;

		Quota quota;

		String key;

		LettuceBasedProxyManager<byte[]> proxyManager;

		BucketProxy bucket4j;

		@Setup(Level.Trial)
		public void setUp() throws InterruptedException {
			int port = Integer.getInteger("redis.port", 6379);
			this.client = RedisClient.create(RedisURI.create("127.0.0.1", port));
			this.connector = new RedisConnector(() -> this.client,
					RedisConnectorSettings.defaults("benchmark").withCommandTimeout(Duration.ofSeconds(5)));
			this.connector.connect();
			awaitAvailable(this.connector);
			this.perfkit = new RedisRateLimiter(this.connector);
			this.quota = quota("bench-" + UUID.randomUUID());
			this.key = "hot";
			this.proxyManager = Bucket4jLettuce.casBasedBuilder(this.client)
				.expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
				.build();
			BucketConfiguration configuration = BucketConfiguration.builder().addLimit(bandwidth()).build();
			this.bucket4j = this.proxyManager.getProxy(
					("perfkit:bench:bucket4j:" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8), () -> configuration);
		}

		@TearDown(Level.Trial)
		public void tearDown() {
			this.connector.close();
			this.client.shutdown();
		}

	}

	@State(Scope.Benchmark)
	public static class Local {

		LocalRateLimiter perfkit;

		RateLimiter limiter;

		Quota quota;

		Bucket bucket;

		Bucket probedBucket;

		Cache<String, Bucket> keyedBuckets;

		/**
		 * The limiter's shared-backend path with a backend that answers at once (a local
		 * limiter standing in for Redis): the shortcut and single-flight's own CPU cost,
		 * without a round trip's noise.
		 */
		RateLimiter instantRemoteWithShortcut;

		RateLimiter instantRemoteWithoutShortcut;

		@Setup(Level.Trial)
		public void setUp() {
			this.perfkit = new LocalRateLimiter(10_000);
			this.quota = quota("bench");
			Tier tier = new Tier("bench", this.quota.limits(), Algorithm.TOKEN_BUCKET, FailurePolicy.ALLOW, Map.of());
			this.limiter = new RateLimiter(Map.of("bench", tier), null, new LocalRateLimiter(10_000),
					new SimpleMeterRegistry());
			this.bucket = Bucket.builder().addLimit(bandwidth()).build();
			this.probedBucket = Bucket.builder().addLimit(bandwidth()).build();
			this.keyedBuckets = Caffeine.newBuilder().maximumSize(10_000).build();
			this.instantRemoteWithShortcut = new RateLimiter(Map.of("bench", tier), new LocalRateLimiter(10_000),
					new LocalRateLimiter(10_000), new SimpleMeterRegistry(), RateLimiter.DEFAULT_SHORTCUT_KEYS);
			this.instantRemoteWithoutShortcut = new RateLimiter(Map.of("bench", tier), new LocalRateLimiter(10_000),
					new LocalRateLimiter(10_000), new SimpleMeterRegistry(), 0);
		}

	}

	@Benchmark
	@Threads(1)
	public Decision perfkitRedis1Thread(Redis redis) {
		return redis.perfkit.check(redis.quota, redis.key, 1, false);
	}

	@Benchmark
	@Threads(1)
	public boolean bucket4jLettuce1Thread(Redis redis) {
		return redis.bucket4j.tryConsume(1);
	}

	@Benchmark
	@Threads(64)
	public Decision perfkitRedis64Threads(Redis redis) {
		return redis.perfkit.check(redis.quota, redis.key, 1, false);
	}

	@Benchmark
	@Threads(64)
	public boolean bucket4jLettuce64Threads(Redis redis) {
		return redis.bucket4j.tryConsume(1);
	}

	@Benchmark
	@Threads(1)
	public Decision perfkitBootRedis1Thread(BootRedis redis) {
		return redis.perfkit.check(redis.quota, "hot", 1, false);
	}

	@Benchmark
	@Threads(64)
	public Decision perfkitBootRedis64Threads(BootRedis redis) {
		return redis.perfkit.check(redis.quota, "hot", 1, false);
	}

	@Benchmark
	@Threads(1)
	public Decision perfkitBootRedisObservationSkipped1Thread(BootRedis.ObservationSkipped redis) {
		return redis.perfkit.check(redis.quota, "hot", 1, false);
	}

	@Benchmark
	@Threads(64)
	public Decision perfkitBootRedisObservationSkipped64Threads(BootRedis.ObservationSkipped redis) {
		return redis.perfkit.check(redis.quota, "hot", 1, false);
	}

	@Benchmark
	@Threads(64)
	public Decision admittedPerfkitLimiter64Threads(BootRedis redis) {
		return redis.admittingWithShortcut.check("admitting", null, redis.admittingKey, 1);
	}

	@Benchmark
	@Threads(64)
	public Decision admittedPerfkitLimiterWithoutShortcut64Threads(BootRedis redis) {
		return redis.admittingWithoutShortcut.check("admitting", null, redis.admittingKey, 1);
	}

	@Benchmark
	@Threads(1)
	public Object gatewayScriptBootRedis1Thread(BootRedis redis) {
		return redis.gatewayCheck();
	}

	@Benchmark
	@Threads(64)
	public Object gatewayScriptBootRedis64Threads(BootRedis redis) {
		return redis.gatewayCheck();
	}

	@Benchmark
	@Threads(64)
	public Decision admittedHotKeyPerfkit64Threads(BootRedis redis) {
		return redis.admitting.check("hot", null, "hot", 1);
	}

	@Benchmark
	@Threads(64)
	public Decision admittedHotKeyPerfkitLeasing64Threads(BootRedis redis) {
		return redis.admittingLeased.check("hot", null, "hot", 1);
	}

	@Benchmark
	@Threads(64)
	public Decision rejectedPerfkitWithShortcut64Threads(BootRedis redis) {
		return redis.rejectingWithShortcut.check("flood", null, "hot", 1);
	}

	@Benchmark
	@Threads(64)
	public Decision rejectedPerfkitWithoutShortcut64Threads(BootRedis redis) {
		return redis.rejectingWithoutShortcut.check("flood", null, "hot", 1);
	}

	@Benchmark
	@Threads(64)
	public boolean rejectedBucket4jLettuce64Threads(BootRedis redis) {
		return redis.rejectingBucket4j.tryConsume(1);
	}

	@Benchmark
	@Threads(1)
	public Decision perfkitLocal(Local local) {
		return local.perfkit.check(local.quota, "hot", 1, false);
	}

	@Benchmark
	@Threads(1)
	public Decision perfkitLocalLimiter(Local local) {
		return local.limiter.check("bench", null, "hot", 1);
	}

	@Benchmark
	@Threads(2)
	public Decision instantRemoteWithShortcut2Threads(Local local) {
		return local.instantRemoteWithShortcut.check("bench", null, "hot", 1);
	}

	@Benchmark
	@Threads(2)
	public Decision instantRemoteWithoutShortcut2Threads(Local local) {
		return local.instantRemoteWithoutShortcut.check("bench", null, "hot", 1);
	}

	@Benchmark
	@Threads(1)
	public ConsumptionProbe bucket4jBareBucketWithFigures(Local local) {
		return local.probedBucket.tryConsumeAndReturnRemaining(1);
	}

	@Benchmark
	@Threads(1)
	public ConsumptionProbe bucket4jKeyedBucketsWithFigures(Local local) {
		return local.keyedBuckets.get("hot", (key) -> Bucket.builder().addLimit(bandwidth()).build())
			.tryConsumeAndReturnRemaining(1);
	}

	@Benchmark
	@Threads(1)
	public boolean bucket4jBareBucket(Local local) {
		return local.bucket.tryConsume(1);
	}

}
