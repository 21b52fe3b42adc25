package dev.perfkit.benchmarks.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.perfkit.cache.CacheMode;
import dev.perfkit.cache.CacheSettings;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * perfkit's cache against Spring's stock cache managers, each behind the same
 * {@code @Cacheable} method: a local hit against {@link CaffeineCacheManager}, a remote
 * hit (perfkit in remote-only mode, so every read goes to Redis) against
 * {@link RedisCacheManager}, and a miss that loads and stores a new key. Redis is
 * {@code perfkit.bench.redis.host}:{@code perfkit.bench.redis.port}, 127.0.0.1:6379 by
 * default; every key is under {@code perfkit:bench:} with a 60 second TTL.
 * <p>
 * Each pair runs as one JMH group: the stock call and perfkit's run at the same time on
 * one thread each, so both see the same machine load and their ratio stays meaningful on
 * a busy machine ({@link GroupRatios} turns a JSON result into per-iteration ratios with a
 * confidence interval). Both local caches keep entries 60 seconds with fixed expiry. The
 * remote hit is also measured with each side alone ({@code remoteHitAlone*}: the pair
 * no longer shares Redis, but runs at different times), beside the floor under both, a
 * bare Lettuce {@code GET} ({@code remoteHitAloneLettuceGet}) and under load
 * ({@code remoteHitUnderLoad}: 4 callers on each side at once), where what each side
 * spends per call adds up.
 * <p>
 * Fairness: every side caches the same {@code String} value (about 30 characters) from
 * the same method, on the same Redis, each on one thread. {@link RedisCacheManager} keeps
 * its defaults (a {@code String} key serializer and JDK serialization for values);
 * perfkit stores its JSON envelope. Both use one Lettuce connection. The two perfkit
 * contexts stand for two separate applications, so each has an invalidation channel of its
 * own (one does not receive the other's messages). See
 * {@link CacheAllocation} for the bytes each side allocates per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CacheBenchmark {

	private static final String HOST = System.getProperty("perfkit.bench.redis.host", "127.0.0.1");

	private static final int PORT = Integer.getInteger("perfkit.bench.redis.port", 6379);

	private final AtomicLong keys = new AtomicLong();

	private final String run = Long.toHexString(System.nanoTime());

	private AnnotationConfigApplicationContext caffeine;

	private AnnotationConfigApplicationContext redisCacheManager;

	private AnnotationConfigApplicationContext perfkitTwoTier;

	private AnnotationConfigApplicationContext perfkitRemote;

	private Service caffeineService;

	private Service redisService;

	private Service perfkitTwoTierService;

	private Service perfkitRemoteService;

	private RedisClient floorClient;

	private StatefulRedisConnection<byte[], byte[]> floor;

	private byte[] floorKey;

	@Setup(Level.Trial)
	public void start() {
		this.caffeine = context(CaffeineConfiguration.class);
		this.redisCacheManager = context(RedisCacheManagerConfiguration.class);
		this.perfkitTwoTier = context(PerfkitTwoTierConfiguration.class);
		this.perfkitRemote = context(PerfkitRemoteConfiguration.class);
		this.caffeineService = this.caffeine.getBean(Service.class);
		this.redisService = this.redisCacheManager.getBean(Service.class);
		this.perfkitTwoTierService = this.perfkitTwoTier.getBean(Service.class);
		this.perfkitRemoteService = this.perfkitRemote.getBean(Service.class);
		TwoTierCacheManager twoTier = this.perfkitTwoTier.getBean(TwoTierCacheManager.class);
		TwoTierCacheManager remote = this.perfkitRemote.getBean(TwoTierCacheManager.class);
		for (int i = 0; i < 2000 && !(twoTier.snapshot().redisAvailable() && remote.snapshot().redisAvailable()); i++) {
			java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
		}
		if (!twoTier.snapshot().redisAvailable() || !remote.snapshot().redisAvailable()) {
			throw new IllegalStateException("Redis at " + HOST + ":" + PORT + " did not answer");
		}
		String hot = hotKey();
		this.caffeineService.value(hot);
		this.redisService.value(hot);
		this.perfkitTwoTierService.value(hot);
		this.perfkitRemoteService.value(hot);
		this.floorClient = RedisClient.create(RedisURI.create(HOST, PORT));
		this.floor = this.floorClient.connect(ByteArrayCodec.INSTANCE);
		this.floorKey = ("perfkit:bench:floor:" + hot).getBytes(StandardCharsets.UTF_8);
		this.floor.sync().set(this.floorKey, ("value-of-" + hot).getBytes(StandardCharsets.UTF_8), SetArgs.Builder.ex(60));
	}

	@TearDown(Level.Trial)
	public void stop() {
		List.of(this.caffeine, this.redisCacheManager, this.perfkitTwoTier, this.perfkitRemote)
			.forEach(AnnotationConfigApplicationContext::close);
		this.floor.close();
		this.floorClient.shutdown();
	}

	@Benchmark
	@Group("localHit")
	@GroupThreads(1)
	public String localHitCaffeineCacheManager() {
		return this.caffeineService.value(hotKey());
	}

	@Benchmark
	@Group("localHit")
	@GroupThreads(1)
	public String localHitPerfkit() {
		return this.perfkitTwoTierService.value(hotKey());
	}

	@Benchmark
	@Group("remoteHit")
	@GroupThreads(1)
	public String remoteHitRedisCacheManager() {
		return this.redisService.value(hotKey());
	}

	@Benchmark
	@Group("remoteHit")
	@GroupThreads(1)
	public String remoteHitPerfkit() {
		return this.perfkitRemoteService.value(hotKey());
	}

	/** The remote hit of {@link RedisCacheManager} measured alone, not side by side. */
	@Benchmark
	public String remoteHitAloneRedisCacheManager() {
		return this.redisService.value(hotKey());
	}

	/** perfkit's remote hit measured alone, not side by side. */
	@Benchmark
	public String remoteHitAlonePerfkit() {
		return this.perfkitRemoteService.value(hotKey());
	}

	/**
	 * The floor under every remote hit: a bare Lettuce {@code GET} of a value as long, with
	 * no cache around it, measured alone.
	 */
	@Benchmark
	public byte[] remoteHitAloneLettuceGet() {
		return this.floor.sync().get(this.floorKey);
	}

	/** The remote hit of {@link RedisCacheManager}, 4 callers beside perfkit's 4. */
	@Benchmark
	@Group("remoteHitUnderLoad")
	@GroupThreads(4)
	public String remoteHitUnderLoadRedisCacheManager() {
		return this.redisService.value(hotKey());
	}

	/** perfkit's remote hit, 4 callers beside {@link RedisCacheManager}'s 4. */
	@Benchmark
	@Group("remoteHitUnderLoad")
	@GroupThreads(4)
	public String remoteHitUnderLoadPerfkit() {
		return this.perfkitRemoteService.value(hotKey());
	}

	@Benchmark
	@Group("missAndLoad")
	@GroupThreads(1)
	public String missAndLoadRedisCacheManager() {
		return this.redisService.value(coldKey());
	}

	@Benchmark
	@Group("missAndLoad")
	@GroupThreads(1)
	public String missAndLoadPerfkit() {
		return this.perfkitTwoTierService.value(coldKey());
	}

	private String hotKey() {
		return "hot-" + this.run;
	}

	private String coldKey() {
		return "cold-" + this.run + "-" + this.keys.incrementAndGet();
	}

	private static AnnotationConfigApplicationContext context(Class<?> configuration) {
		return new AnnotationConfigApplicationContext(configuration, ServiceConfiguration.class);
	}

	/**
	 * The cached method, the same for every cache manager.
	 */
	public static class Service {

		@Cacheable("bench")
		public String value(String key) {
			return "value-of-" + key;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class ServiceConfiguration {

		@Bean
		Service service() {
			return new Service();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CaffeineConfiguration {

		@Bean
		CacheManager cacheManager() {
			CaffeineCacheManager manager = new CaffeineCacheManager();
			manager.setCaffeine(com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
				.maximumSize(10_000)
				.expireAfterWrite(Duration.ofSeconds(60)));
			return manager;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RedisCacheManagerConfiguration {

		@Bean
		LettuceConnectionFactory redisConnectionFactory() {
			return new LettuceConnectionFactory(new RedisStandaloneConfiguration(HOST, PORT));
		}

		@Bean
		CacheManager cacheManager(LettuceConnectionFactory connectionFactory) {
			return RedisCacheManager.builder(connectionFactory)
				.cacheDefaults(RedisCacheConfiguration.defaultCacheConfig()
					.entryTtl(Duration.ofSeconds(60))
					.prefixCacheNameWith("perfkit:bench:spring:"))
				.build();
		}

	}

	abstract static class PerfkitConfiguration {

		@Bean(destroyMethod = "shutdown")
		RedisClient redisClient() {
			return RedisClient.create(RedisURI.create(HOST, PORT));
		}

		@Bean(destroyMethod = "close")
		RedisConnector redisConnector(RedisClient client) {
			return new RedisConnector(() -> client, RedisConnectorSettings.defaults("cache"));
		}

		@Bean(destroyMethod = "close")
		TwoTierCacheManager cacheManager(RedisConnector connector) {
			CacheSettings settings = CacheSettings.defaults()
				.withMode(mode())
				.withTtl(Duration.ofSeconds(60), Duration.ofSeconds(60))
				.withKeyPrefix("perfkit:bench:" + mode().name().toLowerCase() + ":");
			TwoTierCacheManager manager = new TwoTierCacheManager(TwoTierCacheManager.uniform(settings), connector,
					new SimpleMeterRegistry(), "perfkit:bench:" + mode().name().toLowerCase() + ":invalidations",
					List.of(), true);
			manager.start();
			return manager;
		}

		abstract CacheMode mode();

	}

	@Configuration(proxyBeanMethods = false)
	static class PerfkitTwoTierConfiguration extends PerfkitConfiguration {

		@Override
		CacheMode mode() {
			return CacheMode.TWO_TIER;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PerfkitRemoteConfiguration extends PerfkitConfiguration {

		@Override
		CacheMode mode() {
			return CacheMode.REMOTE;
		}

	}

}
