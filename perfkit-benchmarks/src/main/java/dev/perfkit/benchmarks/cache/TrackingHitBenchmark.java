package dev.perfkit.benchmarks.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.github.benmanes.caffeine.cache.Cache;
import dev.perfkit.cache.CacheSettings;
import dev.perfkit.cache.InvalidationMode;
import dev.perfkit.cache.TwoTierCache;
import dev.perfkit.cache.TwoTierCacheManager;
import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What client tracking costs a local hit: two perfkit cache managers over one Redis, one
 * cache in {@code messages} mode and one in {@code tracking} mode, read at the same time
 * (one JMH group, one thread each, so both see the same machine load;
 * {@link GroupRatios} gives the ratio per iteration). With {@code churn=true} a
 * background thread keeps rewriting 100 other keys of both caches with plain {@code SET}s,
 * so the tracking side applies pushes on Lettuce's event loop while it serves hits (the
 * messages side hears nothing of them). Redis is {@code perfkit.bench.redis.host}:
 * {@code perfkit.bench.redis.port}, 127.0.0.1:6379 by default; keys are under
 * {@code perfkit:bench:} with a 60 second TTL.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TrackingHitBenchmark {

	private static final String HOST = System.getProperty("perfkit.bench.redis.host", "127.0.0.1");

	private static final int PORT = Integer.getInteger("perfkit.bench.redis.port", 6379);

	private static final String HOT = "hot";

	@Param({ "false", "true" })
	public boolean churn;

	private final String run = Long.toHexString(System.nanoTime());

	private RedisClient client;

	private RedisConnector messagesConnector;

	private RedisConnector trackingConnector;

	private TwoTierCacheManager messagesManager;

	private TwoTierCacheManager trackingManager;

	private TwoTierCache messages;

	private TwoTierCache tracking;

	private StatefulRedisConnection<byte[], byte[]> raw;

	private Thread churner;

	private volatile boolean stop;

	@Setup(Level.Trial)
	public void start() {
		this.client = RedisClient.create(RedisURI.create(HOST, PORT));
		RedisConnectorSettings settings = RedisConnectorSettings.defaults("cache");
		this.messagesConnector = new RedisConnector(() -> this.client, settings);
		this.trackingConnector = new RedisConnector(() -> this.client, settings);
		CacheSettings base = CacheSettings.defaults().withTtl(Duration.ofSeconds(60), Duration.ofSeconds(60));
		this.messagesManager = manager(this.messagesConnector,
				base.withKeyPrefix("perfkit:bench:" + this.run + ":m:"), "m");
		this.trackingManager = manager(this.trackingConnector,
				base.withKeyPrefix("perfkit:bench:" + this.run + ":t:").withInvalidation(InvalidationMode.TRACKING), "t");
		this.messages = (TwoTierCache) this.messagesManager.getCache("bench");
		this.tracking = (TwoTierCache) this.trackingManager.getCache("bench");
		await(() -> this.messagesConnector.isAvailable() && this.trackingConnector.isAvailable()
				&& this.trackingManager.isTracking(), "Redis and client tracking");
		this.messages.put(HOT, "value-of-hot");
		this.tracking.put(HOT, "value-of-hot");
		// The tracking side hears of its own put and drops its copy; read until it is local.
		await(() -> this.tracking.get(HOT) != null && local(this.messages) && local(this.tracking),
				"both hot keys local");
		this.raw = this.client.connect(ByteArrayCodec.INSTANCE);
		if (this.churn) {
			this.churner = new Thread(this::churn, "tracking-churn");
			this.churner.setDaemon(true);
			this.churner.start();
		}
	}

	@TearDown(Level.Trial)
	public void stop() throws InterruptedException {
		this.stop = true;
		if (this.churner != null) {
			this.churner.join(5000);
		}
		this.raw.close();
		this.messagesManager.close();
		this.trackingManager.close();
		this.messagesConnector.close();
		this.trackingConnector.close();
		this.client.shutdown();
	}

	@Benchmark
	@Group("localHit")
	@GroupThreads(1)
	public Object localHitMessages() {
		return this.messages.get(HOT).get();
	}

	@Benchmark
	@Group("localHit")
	@GroupThreads(1)
	public Object localHitTracking() {
		return this.tracking.get(HOT).get();
	}

	/** Rewrite 100 other keys of both caches, about 5,000 SETs a second. */
	private void churn() {
		byte[] value = "other".getBytes(StandardCharsets.UTF_8);
		int i = 0;
		while (!this.stop) {
			for (String side : List.of("m", "t")) {
				byte[] key = ("perfkit:bench:" + this.run + ":" + side + ":bench:other-" + (i % 100))
					.getBytes(StandardCharsets.UTF_8);
				this.raw.async().set(key, value, SetArgs.Builder.ex(60));
			}
			i++;
			LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(400));
		}
	}

	private TwoTierCacheManager manager(RedisConnector connector, CacheSettings settings, String side) {
		TwoTierCacheManager manager = new TwoTierCacheManager(TwoTierCacheManager.uniform(settings), connector,
				new SimpleMeterRegistry(), "perfkit:bench:" + this.run + ":" + side + ":invalidations", List.of("bench"),
				true);
		manager.start();
		return manager;
	}

	@SuppressWarnings("unchecked")
	private static boolean local(TwoTierCache cache) {
		return ((Cache<String, ?>) cache.getNativeCache()).getIfPresent(HOT) != null;
	}

	private void await(java.util.function.BooleanSupplier condition, String what) {
		for (int i = 0; i < 2000; i++) {
			if (condition.getAsBoolean()) {
				return;
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
		}
		throw new IllegalStateException(what + " not ready at " + HOST + ":" + PORT + ": " + this);
	}

	@Override
	public String toString() {
		return "messages local " + local(this.messages) + ", tracking local " + local(this.tracking) + ", tracking "
				+ this.trackingManager.isTracking();
	}

}
