package dev.perfkit.benchmarks.cache;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.github.benmanes.caffeine.cache.Cache;
import dev.perfkit.cache.CacheSettings;
import dev.perfkit.cache.TwoTierCache;
import dev.perfkit.cache.TwoTierCacheManager;
import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.Counter;
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
 * Invalidation lag between two instances: how long after instance A starts a write does
 * instance B's local tier stop returning the value it held. Two
 * {@link TwoTierCacheManager}s, each with a Redis client and connector of its own, share
 * one invalidation channel, as two instances of one application do. Redis is
 * {@code perfkit.bench.redis.host}:{@code perfkit.bench.redis.port}, 127.0.0.1:6379 by
 * default; each run has a random key prefix and channel under {@code perfkit:bench:lag:},
 * keys with a 60 second TTL.
 * <p>
 * Before each operation (not measured) B puts a fresh value, so that B holds it in its
 * local tier and Redis holds it too, and the setup waits until A has heard that put, so
 * no message is still in flight when the clock starts. The operation is A's
 * {@code put} of a new value (or A's {@code evict}), then a spin on B's local Caffeine
 * tier until it no longer returns the entry B held. The time covers A's one round trip
 * (the write and the {@code PUBLISH} run in one script), Redis's delivery to B's
 * subscription, B's decoding on Lettuce's event loop and its local invalidation. The
 * spin starts when A's call returns, so each sample is at least A's write latency even
 * when B was already told. A sample that does not see the entry go within 5 seconds
 * fails the run.
 * <p>
 * Per-invocation setup costs JMH a timestamp pair per call; against operations of tens of
 * microseconds and more it is noise, and it keeps B's fill out of the figure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
public class InvalidationLagBenchmark {

	private static final String HOST = System.getProperty("perfkit.bench.redis.host", "127.0.0.1");

	private static final int PORT = Integer.getInteger("perfkit.bench.redis.port", 6379);

	private static final long LIMIT_NANOS = TimeUnit.SECONDS.toNanos(5);

	private static final String CACHE = "lag";

	private final String run = UUID.randomUUID().toString();

	private final String key = "key-" + this.run;

	private Instance a;

	private Instance b;

	private Cache<Object, Object> bLocal;

	private Object held;

	private long version;

	@Setup(Level.Trial)
	public void start() {
		String prefix = "perfkit:bench:lag:" + this.run + ":";
		CacheSettings settings = CacheSettings.defaults()
			.withTtl(Duration.ofSeconds(60), Duration.ofSeconds(60))
			.withKeyPrefix(prefix);
		this.a = new Instance(settings, prefix + "invalidations");
		this.b = new Instance(settings, prefix + "invalidations");
		this.bLocal = this.b.local();
	}

	@TearDown(Level.Trial)
	public void stop() {
		this.a.close();
		this.b.close();
	}

	/**
	 * Make B hold a fresh value in its local tier (and Redis hold it), and wait until A
	 * has heard B's put, so nothing is in flight when the operation starts.
	 */
	@Setup(Level.Invocation)
	public void bHoldsTheKey() {
		double heard = this.a.received.count();
		this.b.cache.put(this.key, "b-" + (++this.version));
		this.held = this.bLocal.getIfPresent(this.key);
		if (this.held == null) {
			throw new IllegalStateException("B's local tier does not hold the key it just wrote");
		}
		long start = System.nanoTime();
		while (this.a.received.count() <= heard) {
			checkBound(start, "A to hear B's put");
			Thread.onSpinWait();
		}
	}

	@Benchmark
	public void putUntilInvisibleOnOtherInstance() {
		long start = System.nanoTime();
		this.a.cache.put(this.key, "a-" + this.version);
		awaitInvisibleOnB(start);
	}

	@Benchmark
	public void evictUntilInvisibleOnOtherInstance() {
		long start = System.nanoTime();
		this.a.cache.evict(this.key);
		awaitInvisibleOnB(start);
	}

	private void awaitInvisibleOnB(long start) {
		while (this.bLocal.getIfPresent(this.key) == this.held) {
			checkBound(start, "B's local tier to drop the old value");
			Thread.onSpinWait();
		}
	}

	private static void checkBound(long start, String what) {
		if (System.nanoTime() - start > LIMIT_NANOS) {
			throw new IllegalStateException("Waited more than 5 s for " + what);
		}
	}

	/**
	 * One instance: a Redis client, connector and cache manager of its own.
	 */
	private static final class Instance {

		private final RedisClient client;

		private final RedisConnector connector;

		private final TwoTierCacheManager manager;

		private final TwoTierCache cache;

		private final Counter received;

		Instance(CacheSettings settings, String channel) {
			this.client = RedisClient.create(RedisURI.create(HOST, PORT));
			this.connector = new RedisConnector(() -> this.client, RedisConnectorSettings.defaults("cache"));
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			this.manager = new TwoTierCacheManager(TwoTierCacheManager.uniform(settings), this.connector, registry,
					channel, List.of(CACHE), false);
			this.manager.start();
			this.cache = (TwoTierCache) this.manager.getCache(CACHE);
			this.received = registry.get("perfkit.cache.invalidations.received")
				.tag("cache", CACHE)
				.tag("source", "message")
				.counter();
			// Setup, not a test: poll for the background connect and subscription, bounded.
			for (int i = 0; i < 2000 && !ready(); i++) {
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
			}
			if (!ready()) {
				close();
				throw new IllegalStateException("Redis at " + HOST + ":" + PORT + " did not answer or subscribe");
			}
		}

		@SuppressWarnings("unchecked")
		Cache<Object, Object> local() {
			return (Cache<Object, Object>) this.cache.getNativeCache();
		}

		private boolean ready() {
			return this.manager.snapshot().redisAvailable() && this.manager.snapshot().subscribed();
		}

		void close() {
			this.manager.close();
			this.connector.close();
			this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		}

	}

}
