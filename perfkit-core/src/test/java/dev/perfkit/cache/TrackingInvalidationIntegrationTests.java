package dev.perfkit.cache;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;

import dev.perfkit.test.RedisCluster;
import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.RedisSentinel;
import dev.perfkit.test.Resp;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Caches whose invalidation mode is {@code tracking}: a key changed in Redis by anyone
 * (a plain connection, as {@code redis-cli} would, or Redis itself) is dropped from every
 * instance's local tier once the server's push arrived. "Arrived" is made exact with
 * {@link TrackingInvalidations#sync()}: its {@code PING} is answered after every push the
 * server queued before it.
 */
class TrackingInvalidationIntegrationTests {

	@Test
	void aRawSetOrDelFromAnotherClientDropsEveryInstancesLocalCopyOnceThePushArrived() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			CacheSettings settings = fixture.settings().withInvalidation(InvalidationMode.TRACKING);
			CacheFixture.Instance a = tracking(fixture, settings);
			CacheFixture.Instance b = tracking(fixture, settings);
			assertThat(a.manager().snapshot().tracking()).isEqualTo("on");
			a.cache("prices").put("sku-1", "v1");
			sync(a, b);
			assertThat(a.cache("prices").get("sku-1", String.class)).isEqualTo("v1");
			assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("v1");
			assertThat(local(a, "sku-1")).isEqualTo("v1");
			assertThat(local(b, "sku-1")).isEqualTo("v1");

			Resp.callRaw("127.0.0.1", redis.port(), bytes("SET"), bytes(fixture.prefix + "prices:sku-1"),
					Envelope.wrap(settings.codec(), "v2"), bytes("PX"), bytes("600000"));
			sync(a, b);
			assertThat(local(a, "sku-1")).isNull();
			assertThat(local(b, "sku-1")).isNull();
			assertThat(a.cache("prices").get("sku-1", String.class)).isEqualTo("v2");
			assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("v2");
			assertThat(b.count("perfkit.cache.invalidations.received", "source", "tracking")).isPositive();

			sync(a, b);
			assertThat(local(b, "sku-1")).isEqualTo("v2");
			Resp.call("127.0.0.1", redis.port(), "DEL", fixture.prefix + "prices:sku-1");
			sync(a, b);
			assertThat(local(a, "sku-1")).isNull();
			assertThat(local(b, "sku-1")).isNull();
			assertThat(b.cache("prices").get("sku-1")).isNull();
		}
	}

	@Test
	void aTtlShortenedOrRunOutInRedisDropsTheLocalCopies() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			CacheSettings settings = fixture.settings().withInvalidation(InvalidationMode.TRACKING);
			CacheFixture.Instance a = tracking(fixture, settings);
			CacheFixture.Instance b = tracking(fixture, settings);
			a.cache("prices").put("sku-1", "v1");
			sync(a, b);
			assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("v1");
			assertThat(local(b, "sku-1")).isEqualTo("v1");

			// Another client shortens the entry's TTL: the copy, made under the old TTL, must go.
			Resp.call("127.0.0.1", redis.port(), "PEXPIRE", fixture.prefix + "prices:sku-1", "200");
			sync(a, b);
			assertThat(local(b, "sku-1")).isNull();

			// And the expiry itself is reported (by Redis's active expiry, no client involved).
			double before = b.count("perfkit.cache.invalidations.received", "source", "tracking");
			await("expiry reported").atMost(CacheFixture.BOUND)
				.until(() -> b.count("perfkit.cache.invalidations.received", "source", "tracking") > before);
			assertThat(Resp.call("127.0.0.1", redis.port(), "EXISTS", fixture.prefix + "prices:sku-1")).isEqualTo(0L);
			assertThat(b.cache("prices").get("sku-1")).isNull();
		}
	}

	@Test
	void aFlushAllFlushesTheTrackingCachesLocalTiers() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			CacheSettings settings = fixture.settings().withInvalidation(InvalidationMode.TRACKING);
			CacheFixture.Instance a = tracking(fixture, settings);
			a.cache("prices").put("sku-1", "v1");
			sync(a);
			assertThat(a.cache("prices").get("sku-1", String.class)).isEqualTo("v1");
			assertThat(local(a, "sku-1")).isEqualTo("v1");
			Resp.call("127.0.0.1", redis.port(), "FLUSHALL");
			sync(a);
			assertThat(local(a, "sku-1")).isNull();
		}
	}

	@Test
	void aKilledTrackingConnectionFlushesTheLocalTierAndTrackingResumes() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			CacheSettings settings = fixture.settings().withInvalidation(InvalidationMode.TRACKING);
			CacheFixture.Instance a = tracking(fixture.faultInstance(settings));
			a.cache("prices").put("sku-1", "v1");
			a.cache("prices").put("sku-2", "v1");
			sync(a);
			assertThat(a.cache("prices").get("sku-1", String.class)).isEqualTo("v1");
			assertThat(a.cache("prices").get("sku-2", String.class)).isEqualTo("v1");
			assertThat(local(a, "sku-2")).isEqualTo("v1");
			double flushes = a.count("perfkit.cache.local.flushes", "reason", "tracking");

			// Every normal connection, the tracking one among them; a change made while none
			// tracks is not reported, so only the flush can drop the copy.
			Resp.call("127.0.0.1", redis.port(), "CLIENT", "KILL", "TYPE", "normal");
			Resp.callRaw("127.0.0.1", redis.port(), bytes("SET"), bytes(fixture.prefix + "prices:sku-1"),
					Envelope.wrap(settings.codec(), "v2"), bytes("PX"), bytes("600000"));

			await("tracking re-enabled, then flushed").atMost(CacheFixture.BOUND)
				.until(() -> a.count("perfkit.cache.local.flushes", "reason", "tracking") > flushes
						&& a.manager().tracking().isTracking());
			assertThat(a.cache("prices").get("sku-1", String.class)).isEqualTo("v2");

			// Tracking resumed: a later change is reported again.
			sync(a);
			assertThat(a.cache("prices").get("sku-2", String.class)).isEqualTo("v1");
			assertThat(local(a, "sku-2")).isEqualTo("v1");
			Resp.call("127.0.0.1", redis.port(), "DEL", fixture.prefix + "prices:sku-2");
			sync(a);
			assertThat(local(a, "sku-2")).isNull();
		}
	}

	@Test
	void behindSentinelTrackingResumesOnTheMasterAfterItRestartsAndTheCopiesAreFlushed() throws Exception {
		try (RedisSentinel sentinel = RedisSentinel.start();
				CacheFixture fixture = new CacheFixture(RedisURI.Builder
					.sentinel("127.0.0.1", Integer.parseInt(sentinel.sentinelNode().split(":")[1]),
							RedisSentinel.MASTER_NAME)
					.build())) {
			int master = sentinel.master().port();
			CacheSettings settings = fixture.settings().withInvalidation(InvalidationMode.TRACKING);
			CacheFixture.Instance a = tracking(fixture.faultInstance(settings));
			a.cache("prices").put("sku-1", "v1");
			sync(a);
			assertThat(a.cache("prices").get("sku-1", String.class)).isEqualTo("v1");
			assertThat(local(a, "sku-1")).isEqualTo("v1");
			double flushes = a.count("perfkit.cache.local.flushes", "reason", "tracking");

			// The master comes back empty (no persistence); another client writes before
			// perfkit tracks again, so only the flush can drop the copy.
			sentinel.master().restart();
			Resp.callRaw("127.0.0.1", master, bytes("SET"), bytes(fixture.prefix + "prices:sku-1"),
					Envelope.wrap(settings.codec(), "v2"), bytes("PX"), bytes("600000"));
			await("tracking re-enabled through Sentinel, then flushed").atMost(CacheFixture.BOUND)
				.until(() -> a.count("perfkit.cache.local.flushes", "reason", "tracking") > flushes
						&& a.manager().isTracking());
			assertThat(local(a, "sku-1")).isNull();
			assertThat(a.cache("prices").get("sku-1", String.class)).isEqualTo("v2");
			sync(a);
			Resp.call("127.0.0.1", master, "DEL", fixture.prefix + "prices:sku-1");
			sync(a);
			assertThat(local(a, "sku-1")).isNull();
		}
	}

	@Test
	void withMessagesARawSetLeavesTheLocalCopyUntilTheLocalTtl() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			CacheSettings settings = fixture.settings();
			assertThat(settings.invalidation()).isEqualTo(InvalidationMode.MESSAGES);
			CacheFixture.Instance a = fixture.instance(settings);
			a.cache("prices").put("sku-1", "v1");
			assertThat(local(a, "sku-1")).isEqualTo("v1");
			Resp.callRaw("127.0.0.1", redis.port(), bytes("SET"), bytes(fixture.prefix + "prices:sku-1"),
					Envelope.wrap(settings.codec(), "v2"), bytes("PX"), bytes("600000"));
			// perfkit never hears of it: the documented bound is local.ttl (here 1 minute).
			assertThat(a.manager().isTracking()).isFalse();
			assertThat(a.manager().snapshot().tracking()).isEqualTo("unused");
			assertThat(a.cache("prices").get("sku-1", String.class)).isEqualTo("v1");
		}
	}

	@Test
	void bothModeDropsCopiesOnMessagesAndOnPushes() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			CacheSettings settings = fixture.settings().withInvalidation(InvalidationMode.BOTH);
			CacheFixture.Instance a = tracking(fixture, settings);
			CacheFixture.Instance b = tracking(fixture, settings);
			a.cache("prices").put("sku-1", "v1");
			sync(a, b);
			assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("v1");
			a.cache("prices").put("sku-1", "v2");
			await().atMost(CacheFixture.BOUND).until(() -> "v2".equals(b.cache("prices").get("sku-1", String.class)));
			assertThat(b.count("perfkit.cache.invalidations.received", "source", "message")).isPositive();
			sync(a, b);
			Resp.call("127.0.0.1", redis.port(), "DEL", fixture.prefix + "prices:sku-1");
			sync(a, b);
			assertThat(local(b, "sku-1")).isNull();
		}
	}

	@Test
	void onAClusterARawSetOnAnyMasterDropsTheLocalCopies() throws Exception {
		try (RedisCluster cluster = RedisCluster.start(); CacheFixture fixture = new CacheFixture(cluster.seeds())) {
			CacheSettings settings = fixture.settings().withInvalidation(InvalidationMode.TRACKING);
			CacheFixture.Instance a = tracking(fixture, settings);
			CacheFixture.Instance b = tracking(fixture, settings);
			assertThat(a.manager().tracking().nodeCount()).isEqualTo(3);
			List<String> keys = IntStream.range(0, 30).mapToObj((i) -> "sku-" + i).toList();
			keys.forEach((key) -> a.cache("prices").put(key, "v1"));
			sync(a, b);
			keys.forEach((key) -> assertThat(b.cache("prices").get(key, String.class)).isEqualTo("v1"));
			keys.forEach((key) -> assertThat(local(b, key)).as(key).isEqualTo("v1"));
			assertThat(cluster.nodes()).allSatisfy((node) -> assertThat((Long) node.call("DBSIZE")).isPositive());

			// A plain cluster client, as redis-cli -c: each SET goes to the master of its slot.
			try (StatefulRedisClusterConnection<byte[], byte[]> raw = ((RedisClusterClient) fixture.client())
				.connect(ByteArrayCodec.INSTANCE)) {
				for (String key : keys) {
					raw.sync().set(bytes(fixture.prefix + "prices:" + key), Envelope.wrap(settings.codec(), "v2"));
				}
			}
			sync(a, b);
			keys.forEach((key) -> assertThat(local(a, key)).as(key).isNull());
			keys.forEach((key) -> assertThat(local(b, key)).as(key).isNull());
			keys.forEach((key) -> assertThat(b.cache("prices").get(key, String.class)).isEqualTo("v2"));
		}
	}

	private static CacheFixture.Instance tracking(CacheFixture fixture, CacheSettings settings) {
		return tracking(fixture.instance(settings));
	}

	private static CacheFixture.Instance tracking(CacheFixture.Instance instance) {
		instance.cache("prices");
		await("client tracking on").atMost(CacheFixture.BOUND).until(() -> instance.manager().tracking().isTracking());
		return instance;
	}

	private static void sync(CacheFixture.Instance... instances) {
		for (CacheFixture.Instance instance : instances) {
			instance.manager().tracking().sync();
		}
	}

	private static Object local(CacheFixture.Instance instance, String key) {
		return instance.localValue("prices", key);
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
