package dev.perfkit.cache;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.RedisSentinel;
import dev.perfkit.test.Resp;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cache instances connected through Sentinel (a Lettuce {@code redis-sentinel://} URI, as
 * Boot's {@code spring.data.redis.sentinel.*} builds it) across a real failover to a
 * replica: requested ({@code SENTINEL FAILOVER}, the old master still up and, until the
 * Sentinel demotes it about ten seconds later, still a master) or forced (the master
 * killed).
 */
class SentinelFailoverIntegrationTests {

	@Test
	void trackingAfterAFailoverFlushesOlderCopiesAndDropsCopiesOnRawWritesToTheNewMaster() throws Exception {
		try (RedisSentinel sentinel = RedisSentinel.start(1); CacheFixture fixture = new CacheFixture(uri(sentinel))) {
			CacheSettings settings = fixture.settings().withInvalidation(InvalidationMode.TRACKING);
			List<CacheFixture.Instance> instances = List.of(tracking(fixture, settings), tracking(fixture, settings),
					tracking(fixture, settings));
			CacheFixture.Instance a = instances.get(0);
			for (String key : List.of("sku-1", "sku-2", "sku-3")) {
				a.cache("prices").put(key, "v1");
			}
			sync(instances);
			for (CacheFixture.Instance instance : instances) {
				for (String key : List.of("sku-1", "sku-2", "sku-3")) {
					assertThat(instance.cache("prices").get(key, String.class)).isEqualTo("v1");
					assertThat(local(instance, key)).isEqualTo("v1");
				}
			}
			double[] flushes = instances.stream()
				.mapToDouble((instance) -> instance.count("perfkit.cache.local.flushes", "reason", "tracking"))
				.toArray();

			RedisProcess master = sentinel.failover();
			// Before the old master is demoted perfkit still tracks it, so a change made on the
			// new one is not pushed: only the flush once tracking moved there can drop the copies.
			raw(master, "SET", fixture.prefix + "prices:sku-1", settings, "v2");
			Resp.call("127.0.0.1", master.port(), "DEL", fixture.prefix + "prices:sku-2");

			sentinel.awaitFormerMasterDemoted();
			await("every instance tracking on the new master, then flushed").atMost(CacheFixture.BOUND).until(() -> {
				for (int i = 0; i < instances.size(); i++) {
					CacheFixture.Instance instance = instances.get(i);
					if (!instance.manager().isTracking()
							|| instance.count("perfkit.cache.local.flushes", "reason", "tracking") <= flushes[i]) {
						return false;
					}
				}
				return broadcastTrackers(master) == instances.size();
			});
			sync(instances);
			for (CacheFixture.Instance instance : instances) {
				assertThat(local(instance, "sku-1")).isNull();
				assertThat(local(instance, "sku-2")).isNull();
				assertThat(instance.cache("prices").get("sku-1", String.class)).isEqualTo("v2");
				assertThat(instance.cache("prices").get("sku-2")).isNull();
				assertThat(instance.cache("prices").get("sku-3", String.class)).isEqualTo("v1");
			}

			// Tracking on the new master: a plain client's SET and DEL there are pushed.
			sync(instances);
			for (CacheFixture.Instance instance : instances) {
				assertThat(local(instance, "sku-1")).isEqualTo("v2");
				assertThat(local(instance, "sku-3")).isEqualTo("v1");
			}
			raw(master, "SET", fixture.prefix + "prices:sku-3", settings, "v3");
			Resp.call("127.0.0.1", master.port(), "DEL", fixture.prefix + "prices:sku-1");
			sync(instances);
			for (CacheFixture.Instance instance : instances) {
				assertThat(local(instance, "sku-3")).isNull();
				assertThat(local(instance, "sku-1")).isNull();
				assertThat(instance.cache("prices").get("sku-3", String.class)).isEqualTo("v3");
				assertThat(instance.cache("prices").get("sku-1")).isNull();
			}
		}
	}

	@Test
	void messagesAfterTheMasterIsKilledAndReplacedReachTheOtherInstances() throws Exception {
		try (RedisSentinel sentinel = RedisSentinel.start(1); CacheFixture fixture = new CacheFixture(uri(sentinel))) {
			CacheSettings settings = fixture.settings();
			assertThat(settings.invalidation()).isEqualTo(InvalidationMode.MESSAGES);
			CacheFixture.Instance a = fixture.faultInstance(settings);
			CacheFixture.Instance b = fixture.faultInstance(settings);
			a.cache("prices").put("sku-1", "v1");
			await("replicated").atMost(CacheFixture.BOUND)
				.until(() -> sentinel.replicas().get(0).endpoint().call("EXISTS", fixture.prefix + "prices:sku-1")
					.equals(1L));
			assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("v1");
			assertThat(local(b, "sku-1")).isEqualTo("v1");

			RedisProcess master = sentinel.killMaster();
			await("both instances connected and subscribed on the new master").atMost(CacheFixture.BOUND)
				.until(() -> List.of(a, b)
					.stream()
					.allMatch((instance) -> instance.connector().isAvailable()
							&& instance.manager().snapshot().subscribed())
						&& subscribers(master) == 2);
			// The resubscription flushed b's copy; take it again from the new master.
			assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("v1");
			assertThat(local(b, "sku-1")).isEqualTo("v1");

			a.cache("prices").put("sku-1", "v2");
			assertThat(master.endpoint().call("EXISTS", fixture.prefix + "prices:sku-1")).isEqualTo(1L);
			await("b's copy dropped by a's message").atMost(CacheFixture.BOUND)
				.until(() -> local(b, "sku-1") == null);
			assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("v2");
			a.cache("prices").evict("sku-1");
			await("b's copy dropped by a's evict").atMost(CacheFixture.BOUND).until(() -> local(b, "sku-1") == null);
			assertThat(b.cache("prices").get("sku-1")).isNull();
		}
	}

	/**
	 * Redis's own limit, pinned so the docs' statement stays true: a Sentinel failover is
	 * not coordinated, and until the Sentinel demotes the old master (about ten seconds)
	 * it accepts the writes of the clients still connected to it; its resynchronisation
	 * then discards them. An evict acknowledged there is lost, and the entry it removed
	 * comes back from the new master, older than the database, for up to the entry's
	 * {@code ttl}. Nothing perfkit heard tells it which writes were lost.
	 */
	@Test
	void withoutMinReplicasToWriteAnEvictTheOldMasterAcknowledgedDuringAFailoverIsLost() throws Exception {
		try (RedisSentinel sentinel = RedisSentinel.start(1); CacheFixture fixture = new CacheFixture(uri(sentinel))) {
			CacheFixture.Instance a = fixture.faultInstance(fixture.settings());
			CacheFixture.Instance b = fixture.faultInstance(fixture.settings());
			a.cache("prices").put("sku-1", "v1");
			awaitReplicated(sentinel, fixture, "sku-1");

			RedisProcess master = sentinel.failover();
			// The database changes; the application evicts. perfkit is still on the old master.
			a.cache("prices").evict("sku-1");
			assertThat(sentinel.formerMaster().endpoint().call("EXISTS", fixture.prefix + "prices:sku-1"))
				.isEqualTo(0L);

			sentinel.awaitFormerMasterDemoted();
			awaitSettledOn(master, List.of(a, b));
			assertThat(master.endpoint().call("EXISTS", fixture.prefix + "prices:sku-1")).isEqualTo(1L);
			assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("v1");
		}
	}

	/**
	 * The remedy for the loss above: {@code min-replicas-to-write 1} on every data server.
	 * Once the promoted replica leaves it, the old master refuses writes
	 * ({@code NOREPLICAS}); perfkit records the refused evict like any failed write and,
	 * once it is connected to the new master, deletes the key there and announces it.
	 * (Two replicas, so the new master has one while the old master is not yet its replica.)
	 */
	@Test
	void withMinReplicasToWriteAnEvictRefusedByTheOldMasterIsReconciledOnTheNewOne() throws Exception {
		try (RedisSentinel sentinel = RedisSentinel.start(2, "--min-replicas-to-write", "1", "--min-replicas-max-lag",
				"10"); CacheFixture fixture = new CacheFixture(uri(sentinel))) {
			CacheFixture.Instance a = fixture.faultInstance(fixture.settings());
			CacheFixture.Instance b = fixture.faultInstance(fixture.settings());
			a.cache("prices").put("sku-1", "v1");
			awaitReplicated(sentinel, fixture, "sku-1");
			assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("v1");

			RedisProcess master = sentinel.failover();
			a.cache("prices").evict("sku-1");
			// Refused, so recorded (until then a read here may take the old value back from
			// the old master, as after any failed evict).
			assertThat(a.manager().caches().stream().allMatch(TwoTierCache::reconciled)).isFalse();

			sentinel.awaitFormerMasterDemoted();
			awaitSettledOn(master, List.of(a, b));
			assertThat(master.endpoint().call("EXISTS", fixture.prefix + "prices:sku-1")).isEqualTo(0L);
			assertThat(local(b, "sku-1")).isNull();
			assertThat(b.cache("prices").get("sku-1")).isNull();
			assertThat(a.cache("prices").get("sku-1")).isNull();
		}
	}

	private static void awaitReplicated(RedisSentinel sentinel, CacheFixture fixture, String key) {
		await("replicated").atMost(CacheFixture.BOUND)
			.until(() -> sentinel.replicas()
				.stream()
				.allMatch((replica) -> replica.endpoint().call("EXISTS", fixture.prefix + "prices:" + key).equals(1L)));
	}

	/**
	 * Every instance connected and subscribed on the given master, nothing left to
	 * reconcile, and every message delivered.
	 */
	static void awaitSettledOn(RedisProcess master, List<CacheFixture.Instance> instances) {
		java.util.concurrent.atomic.AtomicReference<String> waiting = new java.util.concurrent.atomic.AtomicReference<>();
		await("instances settled on the new master").atMost(CacheFixture.BOUND)
			.conditionEvaluationListener((condition) -> {
				if (!condition.isSatisfied() && condition.getRemainingTimeInMS() < 200) {
					System.out.println("Not settled: " + waiting.get());
				}
			})
			.until(() -> {
				for (int i = 0; i < instances.size(); i++) {
					CacheFixture.Instance instance = instances.get(i);
					if (!instance.connector().isAvailable() || !instance.manager().bus().isSubscribed()
							|| !instance.manager().caches().stream().allMatch(TwoTierCache::reconciled)) {
						waiting.set("instance " + i + " available " + instance.connector().isAvailable()
								+ ", subscribed " + instance.manager().bus().isSubscribed() + ", reconciled "
								+ instance.manager().caches().stream().allMatch(TwoTierCache::reconciled));
						return false;
					}
					for (CacheFixture.Instance other : instances) {
						InvalidationBus from = other.manager().bus();
						if (other != instance && instance.manager().bus().lastSeen(from.sender()) < from.sequence()) {
							waiting.set("instance " + i + " saw " + instance.manager().bus().lastSeen(from.sender())
									+ " of " + from.sequence());
							return false;
						}
					}
				}
				waiting.set("subscribers on the new master: " + subscribers(master));
				return subscribers(master) == instances.size();
			});
	}

	static RedisURI uri(RedisSentinel sentinel) {
		return RedisURI.Builder.sentinel("127.0.0.1", sentinel.sentinelPort(), RedisSentinel.MASTER_NAME).build();
	}

	/** Connections on the server that enabled broadcast tracking (flag {@code B}). */
	static long broadcastTrackers(RedisProcess server) {
		return clientFlags(server).stream().filter((flags) -> flags.contains("B")).count();
	}

	/** Connections on the server in pub/sub mode (flag {@code P}), apart from the Sentinel's. */
	static long subscribers(RedisProcess server) {
		return clientFlags(server).stream().filter((flags) -> flags.contains("P")).count();
	}

	/** The flags of each client connection but the Sentinel's own (named {@code sentinel-...}). */
	private static List<String> clientFlags(RedisProcess server) {
		String list = String.valueOf(server.endpoint().call("CLIENT", "LIST"));
		return list.lines().filter((line) -> !line.contains(" name=sentinel-")).map((line) -> {
			for (String field : line.split(" ")) {
				if (field.startsWith("flags=")) {
					return field.substring(6);
				}
			}
			return "";
		}).toList();
	}

	private static void raw(RedisProcess server, String command, String key, CacheSettings settings, String value) {
		Resp.callRaw("127.0.0.1", server.port(), bytes(command), bytes(key), Envelope.wrap(settings.codec(), value),
				bytes("PX"), bytes("600000"));
	}

	private static CacheFixture.Instance tracking(CacheFixture fixture, CacheSettings settings) {
		CacheFixture.Instance instance = fixture.faultInstance(settings);
		instance.cache("prices");
		await("client tracking on").atMost(CacheFixture.BOUND).until(() -> instance.manager().tracking().isTracking());
		return instance;
	}

	private static void sync(List<CacheFixture.Instance> instances) {
		for (CacheFixture.Instance instance : instances) {
			instance.manager().tracking().sync();
		}
	}

	static Object local(CacheFixture.Instance instance, String key) {
		return instance.localValue("prices", key);
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
