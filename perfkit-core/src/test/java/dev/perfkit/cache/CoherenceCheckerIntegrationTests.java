package dev.perfkit.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import dev.perfkit.redis.RedisConnectorSettings;
import dev.perfkit.test.RedisCluster;
import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.RedisSentinel;
import dev.perfkit.test.Resp;
import io.lettuce.core.api.sync.RedisStringCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import org.springframework.cache.Cache;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.serializer.RedisSerializationContext.SerializationPair;
import org.springframework.data.redis.serializer.RedisSerializer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs {@link CoherenceChecker} against three perfkit instances over one Redis (standalone
 * and a 3-master cluster, with and without faults), and on demand against Spring's stock
 * cache managers with the same seeds.
 * <p>
 * {@code -Dperfkit.checker.seed=N} replays a run (each test prints its seed);
 * {@code -Dperfkit.checker.rounds=N} runs N rounds per test instead of the CI budget;
 * {@code -Dperfkit.checker.stock=true} also runs the stock managers.
 */
class CoherenceCheckerIntegrationTests {

	private static final long SEED = Long.getLong("perfkit.checker.seed", new Random().nextLong() & 0xFFFF_FFFFL);

	private static final int WRITER_OPS = 30;

	@Test
	void perfkitOnStandaloneRedisLeavesNoStaleKey() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); PerfkitTarget target = PerfkitTarget.standalone(redis)) {
			assertNoStaleKey(target, 70, false);
		}
	}

	@Test
	void perfkitOnStandaloneRedisLeavesNoStaleKeyDespiteFaults() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); PerfkitTarget target = PerfkitTarget.standalone(redis)) {
			assertNoStaleKey(target, 50, true);
		}
	}

	@Test
	void perfkitWithStaleIfErrorAndRefreshAheadLeavesNoStaleKeyWithAndWithoutFaults() throws Exception {
		try (RedisProcess redis = RedisProcess.start();
				PerfkitTarget target = PerfkitTarget.standaloneWithFreshness(redis)) {
			assertNoStaleKey(target, 30, false);
			assertNoStaleKey(target, 20, true);
			for (String result : List.of("started", "completed", "skipped", "failed", "busy", "overtaken")) {
				System.out.println("Coherence checker with freshness: refreshes " + result + " " + target.instances.stream()
					.mapToDouble((instance) -> instance.count("perfkit.cache.refreshes", "result", result))
					.sum());
			}
			// Printed, not asserted: the checker's writers rewrite keys often, so only a few
			// entries live to their threshold per run (a handful of refreshes, some overtaken).
		}
	}

	@Test
	void perfkitOnClusterLeavesNoStaleKeyWithAndWithoutFaults() throws Exception {
		try (RedisCluster cluster = RedisCluster.start(); PerfkitTarget target = PerfkitTarget.cluster(cluster)) {
			assertNoStaleKey(target, 50, false);
			assertNoStaleKey(target, 30, true);
		}
	}

	/**
	 * Three instances through Sentinel over a master and two replicas, each data server
	 * with {@code min-replicas-to-write 1} (see docs/caching.md, "During a failover"); the
	 * fault is a real failover, requested ({@code SENTINEL FAILOVER}) or forced (the master
	 * killed, then started again, empty, to become a replica). A round settles only once
	 * the Sentinel has demoted the old master and no perfkit connection is left on it.
	 */
	@Test
	void perfkitBehindSentinelLeavesNoStaleKeyAcrossFailovers() throws Exception {
		try (RedisSentinel sentinel = RedisSentinel.start(2, "--min-replicas-to-write", "1", "--min-replicas-max-lag",
				"10"); PerfkitTarget target = PerfkitTarget.sentinel(sentinel, InvalidationMode.MESSAGES)) {
			assertNoStaleKey(target, 6, true);
		}
	}

	/**
	 * The same with {@code tracking}: the tracking connections move to the new master with
	 * the others, and tracking is enabled there (and the local tiers flushed) before a
	 * round settles.
	 */
	@Test
	void perfkitWithTrackingBehindSentinelLeavesNoStaleKeyAcrossFailovers() throws Exception {
		try (RedisSentinel sentinel = RedisSentinel.start(2, "--min-replicas-to-write", "1", "--min-replicas-max-lag",
				"10"); PerfkitTarget target = PerfkitTarget.sentinel(sentinel, InvalidationMode.TRACKING)) {
			assertNoStaleKey(target, 4, true);
		}
	}

	/**
	 * The same without {@code min-replicas-to-write}: the old master accepts writes until it
	 * is demoted and they are lost, so the checker must find stale keys (an evict or put
	 * lost leaves the older entry in the new master). Reported, not asserted.
	 */
	@Test
	@EnabledIfSystemProperty(named = "perfkit.checker.stock", matches = "true")
	void withoutMinReplicasToWriteFailoversLeaveStaleKeys() throws Exception {
		int rounds = rounds(6);
		try (RedisSentinel sentinel = RedisSentinel.start(2);
				PerfkitTarget target = PerfkitTarget.sentinel(sentinel, InvalidationMode.MESSAGES)) {
			CoherenceChecker.Result result = new CoherenceChecker(target, WRITER_OPS, true).run(SEED, rounds);
			System.out.println("Coherence checker " + target.name() + " without min-replicas-to-write, seed " + SEED
					+ ": " + result);
			result.failures().forEach((line) -> System.out.println("  " + line));
		}
	}

	@Test
	void perfkitWithTrackingLeavesNoStaleKeyDespiteRawWritesExpiryAndFaults() throws Exception {
		try (RedisProcess redis = RedisProcess.start();
				PerfkitTarget target = PerfkitTarget.standalone(redis, InvalidationMode.TRACKING)) {
			assertNoStaleKey(target, 40, false, true);
			assertNoStaleKey(target, 30, true, true);
		}
	}

	@Test
	void perfkitWithTrackingOnClusterLeavesNoStaleKeyDespiteRawWritesExpiryAndFaults() throws Exception {
		try (RedisCluster cluster = RedisCluster.start();
				PerfkitTarget target = PerfkitTarget.cluster(cluster, InvalidationMode.TRACKING)) {
			assertNoStaleKey(target, 20, false, true);
			assertNoStaleKey(target, 20, true, true);
		}
	}

	/**
	 * The same raw writes against caches in {@code messages} mode, which cannot see them:
	 * the checker must find stale keys here (else it could not find them with tracking
	 * either). Reported, not asserted: how many depends on the interleaving.
	 */
	@Test
	@EnabledIfSystemProperty(named = "perfkit.checker.stock", matches = "true")
	void rawWritesAgainstMessagesModeLeaveStaleKeys() throws Exception {
		int rounds = rounds(20);
		try (RedisProcess redis = RedisProcess.start(); PerfkitTarget target = PerfkitTarget.standalone(redis)) {
			CoherenceChecker.Result result = new CoherenceChecker(target, WRITER_OPS, false, true).run(SEED, rounds);
			System.out.println("Coherence checker " + target.name() + " with raw writes, seed " + SEED + ": " + result);
		}
	}

	@Test
	void aReadAfterAWriteOnTheWritingInstanceSeesTheWrite() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); PerfkitTarget target = PerfkitTarget.standalone(redis)) {
			assertThat(readYourWrites(target.caches(), 500)).isZero();
		}
	}

	/**
	 * One writer on the first instance changes the database, then evicts or puts the key,
	 * then reads it on the same thread, while loaders on every instance keep reading it.
	 * @return how many of the writer's reads returned a value older than its write
	 */
	static int readYourWrites(List<Cache> caches, int writes) throws Exception {
		java.util.concurrent.atomic.AtomicLong database = new java.util.concurrent.atomic.AtomicLong();
		java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
		java.util.concurrent.Callable<String> loader = () -> {
			String value = "v" + database.get();
			java.util.concurrent.locks.LockSupport.parkNanos(300_000);
			return value;
		};
		List<Thread> readers = new ArrayList<>();
		List<Cache> readerCaches = new ArrayList<>(caches);
		// Two on the writing instance, whose copies from Redis race the writer's own install.
		readerCaches.add(caches.get(0));
		for (Cache cache : readerCaches) {
			Thread reader = new Thread(() -> {
				while (!stop.get()) {
					cache.get("k", loader);
				}
			});
			reader.start();
			readers.add(reader);
		}
		int stale = 0;
		Random random = new Random(SEED);
		Cache writer = caches.get(0);
		try {
			for (int i = 0; i < writes; i++) {
				String written = "v" + database.incrementAndGet();
				if (random.nextBoolean()) {
					writer.evict("k");
				}
				else {
					writer.put("k", written);
				}
				if (!written.equals(writer.get("k", loader))) {
					stale++;
				}
			}
		}
		finally {
			stop.set(true);
			for (Thread reader : readers) {
				reader.join(10_000);
			}
		}
		return stale;
	}

	@Test
	@EnabledIfSystemProperty(named = "perfkit.checker.stock", matches = "true")
	void stockManagersUnderTheSameSeeds() throws Exception {
		int rounds = rounds(50);
		List<String> report = new ArrayList<>();
		List<String> details = new ArrayList<>();
		try (RedisProcess redis = RedisProcess.start()) {
			try (PerfkitTarget target = PerfkitTarget.standalone(redis)) {
				report(target, rounds, report, details);
			}
			try (StockRedisTarget target = new StockRedisTarget(redis.endpoint())) {
				report(target, rounds, report, details);
			}
			try (StockCaffeineTarget target = new StockCaffeineTarget()) {
				report(target, rounds, report, details);
			}
			try (PerfkitTarget target = PerfkitTarget.standalone(redis)) {
				report.add("read-your-writes, perfkit: " + readYourWrites(target.caches(), 300) + " stale of 300");
			}
			try (StockRedisTarget target = new StockRedisTarget(redis.endpoint())) {
				report.add("read-your-writes, RedisCacheManager: " + readYourWrites(target.caches(), 300)
						+ " stale of 300");
			}
		}
		System.out.println("Coherence checker, seed " + SEED + ", " + rounds + " rounds each:");
		report.forEach((line) -> System.out.println("  " + line));
		details.forEach((line) -> System.out.println("    " + line));
	}

	private static void report(CoherenceChecker.Target target, int rounds, List<String> report, List<String> details) {
		CoherenceChecker.Result result = new CoherenceChecker(target, WRITER_OPS, false).run(SEED, rounds);
		report.add(target.name() + ": " + result);
		details.addAll(result.failures());
	}

	private static int rounds(int ciRounds) {
		return Integer.getInteger("perfkit.checker.rounds", ciRounds);
	}

	private static void assertNoStaleKey(CoherenceChecker.Target target, int ciRounds, boolean faults) {
		assertNoStaleKey(target, ciRounds, faults, false);
	}

	private static void assertNoStaleKey(CoherenceChecker.Target target, int ciRounds, boolean faults,
			boolean rawWrites) {
		int rounds = rounds(ciRounds);
		CoherenceChecker checker = new CoherenceChecker(target, WRITER_OPS, faults, rawWrites);
		CoherenceChecker.Result result;
		try {
			result = checker.run(SEED, rounds);
		}
		catch (AssertionError ex) {
			throw new AssertionError(ex.getMessage() + "; replay with -Dperfkit.checker.seed=" + SEED, ex);
		}
		System.out.println("Coherence checker " + target.name() + (faults ? " with faults" : "")
				+ (rawWrites ? " with raw writes" : "") + ", seed " + SEED + ": " + result);
		assertThat(result.failures()).as("stale keys; replay with -Dperfkit.checker.seed=" + SEED).isEmpty();
		assertThat(result.errors()).as("operations that threw: " + checker.firstError()).isZero();
	}

	/**
	 * Three perfkit instances, each a manager with a connector of its own.
	 */
	static final class PerfkitTarget implements CoherenceChecker.Target {

		private final CacheFixture fixture;

		private final List<CacheFixture.Instance> instances = new ArrayList<>();

		private final List<RedisEndpoint> nodes;

		private final RedisProcess restartable;

		private final io.lettuce.core.api.StatefulConnection<byte[], byte[]> peek;

		private final RedisStringCommands<byte[], byte[]> peekCommands;

		private final String name;

		private final io.lettuce.core.cluster.api.sync.RedisClusterCommands<byte[], byte[]> raw;

		private final boolean tracking;

		/** Set for a target behind Sentinel, whose fault is a failover. */
		private RedisSentinel sentinel;

		private PerfkitTarget(String name, CacheFixture fixture, List<RedisEndpoint> nodes, RedisProcess restartable,
				java.util.function.UnaryOperator<CacheSettings> tune) {
			this(name, fixture, nodes, restartable, InvalidationMode.MESSAGES, tune);
		}

		private PerfkitTarget(String name, CacheFixture fixture, List<RedisEndpoint> nodes, RedisProcess restartable,
				InvalidationMode invalidation) {
			this(name, fixture, nodes, restartable, invalidation, java.util.function.UnaryOperator.identity());
		}

		private PerfkitTarget(String name, CacheFixture fixture, List<RedisEndpoint> nodes, RedisProcess restartable,
				InvalidationMode invalidation, java.util.function.UnaryOperator<CacheSettings> tune) {
			this.name = name + ((invalidation != InvalidationMode.MESSAGES) ? " " + invalidation : "");
			this.fixture = fixture;
			this.nodes = nodes;
			this.restartable = restartable;
			this.tracking = invalidation.usesTracking();
			CacheSettings settings = tune.apply(fixture.settings().withInvalidation(invalidation));
			RedisConnectorSettings connector = RedisConnectorSettings.defaults("cache")
				.withCommandTimeout(Duration.ofMillis(500))
				.withBreaker(3, Duration.ofMillis(200));
			for (int i = 0; i < 3; i++) {
				this.instances.add(fixture.instance(settings, connector));
			}
			if (fixture.client() instanceof RedisClusterClient cluster) {
				var connection = cluster.connect(ByteArrayCodec.INSTANCE);
				this.peek = connection;
				this.peekCommands = connection.sync();
				this.raw = connection.sync();
			}
			else {
				var connection = ((RedisClient) fixture.client()).connect(ByteArrayCodec.INSTANCE);
				this.peek = connection;
				this.peekCommands = connection.sync();
				this.raw = connection.sync();
			}
		}

		static PerfkitTarget standalone(RedisProcess redis) {
			return standalone(redis, InvalidationMode.MESSAGES);
		}

		static PerfkitTarget standalone(RedisProcess redis, InvalidationMode invalidation) {
			return new PerfkitTarget("perfkit (standalone)", new CacheFixture("127.0.0.1", redis.port()),
					List.of(redis.endpoint()), redis, invalidation);
		}

		/**
		 * Standalone, with stale-if-error and refresh-ahead on and TTLs short enough that
		 * entries expire, fall back and refresh ahead during the rounds.
		 */
		static PerfkitTarget standaloneWithFreshness(RedisProcess redis) {
			return new PerfkitTarget("perfkit (standalone, stale-if-error and refresh-ahead)",
					new CacheFixture("127.0.0.1", redis.port()), List.of(redis.endpoint()), redis,
					(settings) -> settings.withTtl(Duration.ofMillis(40), Duration.ofMillis(40))
						// A short lease: an instance that lost it tries again soon, so refreshes race
						// more writes.
						.withLease(false, Duration.ofMillis(300), Duration.ofMillis(100))
						.withFreshness(new Freshness(Duration.ofMinutes(1), 0.5)));
		}

		static PerfkitTarget cluster(RedisCluster cluster) {
			return cluster(cluster, InvalidationMode.MESSAGES);
		}

		static PerfkitTarget cluster(RedisCluster cluster, InvalidationMode invalidation) {
			return new PerfkitTarget("perfkit (cluster)", new CacheFixture(cluster.seeds()), cluster.nodes(), null,
					invalidation);
		}

		static PerfkitTarget sentinel(RedisSentinel sentinel, InvalidationMode invalidation) {
			PerfkitTarget target = new PerfkitTarget("perfkit (sentinel)",
					new CacheFixture(SentinelFailoverIntegrationTests.uri(sentinel)), List.of(), null, invalidation);
			target.sentinel = sentinel;
			return target;
		}

		@Override
		public boolean rawWrites() {
			// Behind Sentinel a raw write may land on a master about to be demoted, and be lost
			// by Redis rather than by perfkit.
			return this.sentinel == null;
		}

		@Override
		public void rawWrite(String key, String value, long pxMillis) {
			TwoTierCache cache = this.instances.get(0).cache("checker");
			byte[] redisKey = (cache.settings().keyPrefix() + "checker:" + key)
				.getBytes(java.nio.charset.StandardCharsets.UTF_8);
			// Another service's write must reach Redis (else Redis, not perfkit, is stale):
			// retried through faults; both commands are idempotent.
			await("raw write").atMost(CacheFixture.BOUND).ignoreExceptions().until(() -> {
				if (value == null) {
					this.raw.del(redisKey);
				}
				else {
					this.raw.set(redisKey, Envelope.wrap(cache.settings().codec(), value),
							io.lettuce.core.SetArgs.Builder.px(pxMillis));
				}
				return true;
			});
		}

		@Override
		public String name() {
			return this.name;
		}

		@Override
		public List<Cache> caches() {
			return this.instances.stream().map((instance) -> (Cache) instance.cache("checker")).toList();
		}

		@Override
		public Duration settleBound() {
			// A demotion takes the Sentinel up to about 20 s after a requested failover.
			return (this.sentinel != null) ? Duration.ofSeconds(90) : CoherenceChecker.SETTLE_BOUND;
		}

		private volatile String unsettled = "";

		@Override
		public String unsettled() {
			return this.unsettled;
		}

		@Override
		public boolean settled() {
			if (this.sentinel != null) {
				if (!this.sentinel.isStable()) {
					this.unsettled = "sentinel topology not stable: master " + this.sentinel.master().port() + ", others "
							+ this.sentinel.others().stream().map((server) -> {
								try {
									String info = String.valueOf(server.endpoint().call("INFO", "replication"));
									return server.port() + " " + info.lines()
										.filter((line) -> line.startsWith("role:") || line.startsWith("master_port:")
												|| line.startsWith("master_link_status:"))
										.toList();
								}
								catch (RuntimeException ex) {
									return server.port() + " " + ex.getMessage();
								}
							}).toList();
					return false;
				}
				if (this.sentinel.others().stream().anyMatch(PerfkitTarget::hasClients)) {
					this.unsettled = "clients left on a replica";
					return false;
				}
			}
			for (CacheFixture.Instance instance : this.instances) {
				if (!instance.connector().isAvailable() || !instance.manager().bus().isSubscribed()
						|| !instance.manager().caches().stream().allMatch(TwoTierCache::reconciled)) {
					this.unsettled = "available " + instance.connector().isAvailable() + " subscribed "
							+ instance.manager().bus().isSubscribed() + " reconciled "
							+ instance.manager().caches().stream().allMatch(TwoTierCache::reconciled);
					return false;
				}
				if (this.tracking && !instance.manager().tracking().isTracking()) {
					return false;
				}
			}
			if (this.tracking) {
				// Every push the servers sent so far has been applied on every instance.
				try {
					this.instances.forEach((instance) -> instance.manager().tracking().sync());
				}
				catch (RuntimeException ex) {
					return false;
				}
			}
			for (CacheFixture.Instance sender : this.instances) {
				InvalidationBus from = sender.manager().bus();
				for (CacheFixture.Instance receiver : this.instances) {
					if (receiver != sender && receiver.manager().bus().lastSeen(from.sender()) < from.sequence()) {
						this.unsettled = "messages not delivered";
						return false;
					}
				}
			}
			return true;
		}

		@Override
		public boolean staleInStore(String key, String expected) {
			TwoTierCache cache = this.instances.get(0).cache("checker");
			byte[] redisKey = (cache.settings().keyPrefix() + "checker:" + key)
				.getBytes(java.nio.charset.StandardCharsets.UTF_8);
			java.util.concurrent.atomic.AtomicReference<byte[]> found = new java.util.concurrent.atomic.AtomicReference<>();
			await("raw GET").atMost(CacheFixture.BOUND).ignoreExceptions().until(() -> {
				found.set(this.peekCommands.get(redisKey));
				return true;
			});
			byte[] bytes = found.get();
			if (bytes == null || bytes.length == 0 || bytes[0] != Envelope.MAGIC) {
				return false;
			}
			return !expected.equals(Envelope.unwrap(cache.settings().codec(), bytes));
		}

		/**
		 * Whether a server not the master still has client connections (perfkit's, the
		 * checker's) other than the Sentinel's, its replication link and this probe.
		 */
		private static boolean hasClients(RedisProcess server) {
			String list = String.valueOf(server.endpoint().call("CLIENT", "LIST"));
			return list.lines()
				.anyMatch((line) -> !line.contains(" name=sentinel-") && !line.contains(" cmd=client|list")
						&& !line.contains(" flags=M") && !line.contains(" flags=S"));
		}

		@Override
		public int faults() {
			if (this.sentinel != null) {
				return 2;
			}
			return (this.restartable != null) ? 4 : 3;
		}

		@Override
		public void fault(int which, Random random) {
			if (this.sentinel != null) {
				if (which == 0) {
					this.sentinel.failover();
				}
				else {
					this.sentinel.killMaster();
					// Back, empty, as a master the Sentinel soon turns into a replica.
					this.sentinel.formerMaster().restart();
				}
				return;
			}
			switch (which) {
				case 0 -> this.nodes.forEach((node) -> Resp.call(node.host(), node.port(), "CLIENT", "KILL", "TYPE",
						"pubsub"));
				case 1 -> this.nodes.forEach((node) -> Resp.call(node.host(), node.port(), "CLIENT", "KILL", "TYPE",
						"normal"));
				// Redis too slow to answer, connections intact: commands time out, breakers
				// open, writes wait for reconciliation (what a starved host does under load).
				case 2 -> this.nodes.forEach((node) -> Resp.call(node.host(), node.port(), "CLIENT", "PAUSE",
						String.valueOf(600 + random.nextInt(1200)), "ALL"));
				default -> this.restartable.restart();
			}
		}

		@Override
		public void close() throws Exception {
			this.peek.close();
			this.fixture.close();
		}

	}

	/**
	 * Three Spring Data Redis {@link RedisCacheManager}s over one Redis, with their defaults
	 * apart from string values.
	 */
	static final class StockRedisTarget implements CoherenceChecker.Target {

		private final List<LettuceConnectionFactory> factories = new ArrayList<>();

		private final List<Cache> caches = new ArrayList<>();

		private final String prefix = "perfkit:test:" + UUID.randomUUID() + ":";

		StockRedisTarget(RedisEndpoint redis) {
			this(() -> new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port())));
		}

		StockRedisTarget(List<String> clusterSeeds) {
			this(() -> new LettuceConnectionFactory(new RedisClusterConfiguration(clusterSeeds)));
		}

		private StockRedisTarget(java.util.function.Supplier<LettuceConnectionFactory> factories) {
			for (int i = 0; i < 3; i++) {
				LettuceConnectionFactory factory = factories.get();
				factory.afterPropertiesSet();
				factory.start();
				this.factories.add(factory);
				RedisCacheManager manager = RedisCacheManager.builder(factory)
					.cacheDefaults(RedisCacheConfiguration.defaultCacheConfig()
						.entryTtl(Duration.ofMinutes(10))
						.prefixCacheNameWith(this.prefix)
						.serializeValuesWith(SerializationPair.fromSerializer(RedisSerializer.string())))
					.build();
				manager.afterPropertiesSet();
				this.caches.add(manager.getCache("checker"));
			}
		}

		@Override
		public String name() {
			return "RedisCacheManager";
		}

		@Override
		public List<Cache> caches() {
			return this.caches;
		}

		@Override
		public boolean settled() {
			return true;
		}

		@Override
		public boolean pollForStaleness() {
			return true;
		}

		@Override
		public void close() {
			this.factories.forEach(LettuceConnectionFactory::destroy);
		}

	}

	/**
	 * Three Spring {@link CaffeineCacheManager}s, one per instance, which share nothing.
	 */
	static final class StockCaffeineTarget implements CoherenceChecker.Target {

		private final List<Cache> caches = new ArrayList<>();

		StockCaffeineTarget() {
			for (int i = 0; i < 3; i++) {
				CaffeineCacheManager manager = new CaffeineCacheManager();
				manager.setAsyncCacheMode(true);
				this.caches.add(manager.getCache("checker"));
			}
		}

		@Override
		public String name() {
			return "CaffeineCacheManager";
		}

		@Override
		public List<Cache> caches() {
			return this.caches;
		}

		@Override
		public boolean settled() {
			return true;
		}

		@Override
		public void close() {
		}

	}

}
