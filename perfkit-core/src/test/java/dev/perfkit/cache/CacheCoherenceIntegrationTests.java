package dev.perfkit.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Cache;
import dev.perfkit.redis.RedisUnavailableException;
import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.Resp;
import dev.perfkit.test.TestRedis;
import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Two instances (two managers with connectors of their own) sharing one real Redis.
 */
class CacheCoherenceIntegrationTests {

	@Test
	void anUpdateOnOneInstanceReplacesTheOtherInstancesLocalCopy() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			TwoTierCache a = fixture.instance(fixture.settings()).cache("prices");
			TwoTierCache b = fixture.instance(fixture.settings()).cache("prices");
			a.put("sku-1", "10.00");
			assertThat(b.get("sku-1", String.class)).isEqualTo("10.00");
			a.put("sku-1", "12.00");
			await().atMost(CacheFixture.BOUND).until(() -> "12.00".equals(b.get("sku-1", String.class)));
		}
	}

	@Test
	void evictAndClearOnOneInstanceRemoveTheOtherInstancesLocalCopies() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			TwoTierCache a = fixture.instance(fixture.settings()).cache("prices");
			TwoTierCache b = fixture.instance(fixture.settings()).cache("prices");
			a.put("x", "1");
			a.put("y", "2");
			a.put("user:1", "3");
			assertThat(b.get("x", String.class)).isEqualTo("1");
			assertThat(b.get("y", String.class)).isEqualTo("2");
			assertThat(b.get("user:1", String.class)).isEqualTo("3");
			a.evict("x");
			await().atMost(CacheFixture.BOUND).until(() -> b.get("x") == null);
			a.evictMatching("user:*");
			await().atMost(CacheFixture.BOUND).until(() -> b.get("user:1") == null);
			a.clear();
			await().atMost(CacheFixture.BOUND).until(() -> b.get("y") == null);
		}
	}

	@Test
	void afterTheServerDropsTheSubscriptionTheOldValueIsNeverServedOnceResubscribed() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			CacheFixture.Instance a = fixture.instance(fixture.settings());
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			a.cache("prices").put("sku-1", "old");
			assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("old");
			double resubscribed = b.count("perfkit.cache.local.flushes", "reason", "resubscribe");

			Resp.call("127.0.0.1", redis.port(), "CLIENT", "KILL", "TYPE", "pubsub");
			a.cache("prices").put("sku-1", "new");

			await("B resubscribed").atMost(CacheFixture.BOUND)
				.until(() -> b.count("perfkit.cache.local.flushes", "reason", "resubscribe") > resubscribed);
			assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("new");
		}
	}

	@Test
	void anInvalidationArrivingDuringALoadWinsOverTheLoadedValue() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			CacheFixture.Instance a = fixture.instance(fixture.settings());
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			CountDownLatch loading = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			CompletableFuture<String> load = CompletableFuture.supplyAsync(() -> a.cache("prices").get("sku-1", () -> {
				loading.countDown();
				release.await(30, TimeUnit.SECONDS);
				return "loaded-before-update";
			}));
			assertThat(loading.await(30, TimeUnit.SECONDS)).isTrue();

			b.cache("prices").put("sku-1", "updated");
			await("A received the invalidation").atMost(CacheFixture.BOUND)
				.until(() -> a.count("perfkit.cache.invalidations.received") >= 1);
			release.countDown();

			assertThat(load.get(30, TimeUnit.SECONDS)).isEqualTo("loaded-before-update");
			assertThat(a.cache("prices").get("sku-1", String.class)).isEqualTo("updated");
			assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("updated");
		}
	}

	/**
	 * Tests wait for {@code perfkit.cache.invalidations.received} before they read, so that
	 * a late message cannot drop what they read: a message must be applied by the time it
	 * is counted.
	 */
	@Test
	void aReaderThatSeesAnInvalidationCountedFindsTheKeyDropped() throws Exception {
		try (CacheFixture fixture = CacheFixture.onTestRedis()) {
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			TwoTierCache cache = b.cache("credits");
			@SuppressWarnings("unchecked")
			var local = (Cache<String, LocalTier.Entry>) cache.getNativeCache();
			Counter received = b.registry()
				.get("perfkit.cache.invalidations.received")
				.tag("cache", "credits")
				.tag("source", "message")
				.counter();
			int rounds = 20_000;
			AtomicInteger torn = new AtomicInteger();
			AtomicBoolean done = new AtomicBoolean();
			CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
				while (!done.get()) {
					long counted = (long) received.count();
					if (counted > 0 && local.getIfPresent("k" + (counted - 1)) != null) {
						torn.incrementAndGet();
					}
				}
			});
			try {
				for (int round = 0; round < rounds; round++) {
					local.put("k" + round, LocalTier.Entry.of("v", Duration.ofMinutes(1), Duration.ofMinutes(1)));
					cache.onInvalidation(new Invalidation(Invalidation.Kind.KEYS, 5, round + 1, "credits",
							List.of("k" + round)));
				}
			}
			finally {
				done.set(true);
			}
			reader.get(30, TimeUnit.SECONDS);
			assertThat(received.count()).isEqualTo(rounds);
			assertThat(torn).hasValue(0);
		}
	}

	@Test
	void aGapInAnotherInstancesSequenceFlushesTheLocalTier() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			b.cache("prices").put("sku-1", "v");
			publish(redis, fixture, new Invalidation(Invalidation.Kind.KEYS, 7, 1, "prices", List.of("other")));
			publish(redis, fixture, new Invalidation(Invalidation.Kind.KEYS, 7, 3, "prices", List.of("other")));
			await().atMost(CacheFixture.BOUND).until(() -> b.count("perfkit.cache.local.flushes", "reason", "gap") == 1);
			assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("v");
			assertThat(b.count("perfkit.cache.gets", "tier", "local", "result", "miss")).isEqualTo(1);
		}
	}

	@Test
	void aMessageThatCouldNotBeSentLeavesNoGapInTheSendersNumbers() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			CacheFixture.Instance a = fixture.instance(fixture.settings());
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			b.cache("prices").put("sku-1", "v");
			try (InvalidationBus sender = new InvalidationBus(a.connector(),
					fixture.channel.getBytes(StandardCharsets.UTF_8), new IgnoringReceiver())) {
				sender.publish(Invalidation.Kind.KEYS, "prices", List.of("other-1"));
				assertThatExceptionOfType(RedisUnavailableException.class)
					.isThrownBy(() -> sender.announce(Invalidation.Kind.KEYS, "prices", List.of("other-2"),
							(channel, message) -> {
								throw new RedisUnavailableException("circuit breaker open", null);
							}));
				sender.publish(Invalidation.Kind.KEYS, "prices", List.of("other-3"));
				// Messages are handled in order: once the last one counts, the one before it
				// has been checked for a gap.
				sender.publish(Invalidation.Kind.KEYS, "prices", List.of("other-4"));
			}
			assertThreeReceivedWithoutAGapAndSku1StillLocal(b);
		}
	}

	@Test
	void aFillerKeepsTheSendersNumbersWithoutGapAndDropsNothing() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			b.cache("prices").put("sku-1", "v");
			Invalidation second = new Invalidation(Invalidation.Kind.KEYS, 11, 2, "prices", List.of("sku-1"));
			publish(redis, fixture, new Invalidation(Invalidation.Kind.KEYS, 11, 1, "prices", List.of("other")));
			publish(redis, fixture, second.filler());
			publish(redis, fixture, new Invalidation(Invalidation.Kind.KEYS, 11, 3, "prices", List.of("other")));
			// Messages are handled in order: once the last one counts, the one before it has
			// been checked for a gap.
			publish(redis, fixture, new Invalidation(Invalidation.Kind.KEYS, 11, 4, "prices", List.of("other")));
			assertThreeReceivedWithoutAGapAndSku1StillLocal(b);
		}
	}

	@Test
	void foreignMessagesOnTheChannelAreIgnored() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			b.cache("prices").put("sku-1", "v");
			Resp.call(redis.host(), redis.port(), "PUBLISH", fixture.channel, "{\"@class\":\"evil\"}");
			publish(redis, fixture, new Invalidation(Invalidation.Kind.KEYS, 9, 1, "prices", List.of("sku-2")));
			await().atMost(CacheFixture.BOUND).until(() -> b.count("perfkit.cache.invalidations.received") == 1);
			assertThat(b.count("perfkit.cache.gets", "tier", "local", "result", "hit")).isZero();
			assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("v");
			assertThat(b.count("perfkit.cache.gets", "tier", "local", "result", "hit")).isEqualTo(1);
		}
	}

	@Test
	void garbageBytesUnderACacheKeyReadAsAMissAndAreDeleted() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			CacheFixture.Instance a = fixture.instance(fixture.settings());
			String key = fixture.prefix + "prices:sku-1";
			Resp.callRaw(redis.host(), redis.port(), bytes("SET"), bytes(key), new byte[] { (byte) 0xCA, 1, 1, 0, '{', 0x7f },
					bytes("PX"), bytes("60000"));
			assertThat(a.cache("prices").get("sku-1")).isNull();
			assertThat(a.count("perfkit.cache.decode.failures")).isEqualTo(1);
			await().atMost(CacheFixture.BOUND).until(() -> Resp.call(redis.host(), redis.port(), "EXISTS", key).equals(0L));

			Resp.call(redis.host(), redis.port(), "SET", key, "plain text", "PX", "60000");
			assertThat(a.cache("prices").get("sku-1", () -> "loaded")).isEqualTo("loaded");
			Resp.call(redis.host(), redis.port(), "SET", fixture.prefix + "prices:sku-2",
					"\u00ca\u0001\u0001\u0000[\"java.lang.ProcessBuilder\",[\"sh\"]]", "PX", "60000");
			assertThat(a.cache("prices").get("sku-2")).isNull();
			assertThat(a.count("perfkit.cache.decode.failures")).isEqualTo(3);
		}
	}

	@Test
	void everyEntryIsStoredUnderThePrefixWithATtl() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			CacheFixture.Instance a = fixture.instance(fixture.settings());
			a.cache("prices").put("sku-1", "v");
			a.cache("prices").put("sku-2", null);
			a.cache("prices").get("sku-3", () -> "loaded");
			for (String id : List.of("sku-1", "sku-2", "sku-3")) {
				Object ttl = Resp.call(redis.host(), redis.port(), "PTTL", fixture.prefix + "prices:" + id);
				assertThat((Long) ttl).as(id).isPositive();
			}
		}
	}

	@Test
	void aPerEntryTtlFunctionSetsTheRemoteTtlAndShortensTheLocalOne() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			CacheSettings settings = fixture.settings()
				// Long enough that the PTTL read right after the put finds the key, however slow
				// the machine.
				.withEntryTtl((key, value) -> "trial".equals(value) ? Duration.ofSeconds(3) : null);
			TwoTierCache cache = fixture.instance(settings).cache("plans");
			cache.put("acme", "trial");
			cache.put("globex", "enterprise");
			long trialTtl = (Long) Resp.call(redis.host(), redis.port(), "PTTL", fixture.prefix + "plans:acme");
			long enterpriseTtl = (Long) Resp.call(redis.host(), redis.port(), "PTTL", fixture.prefix + "plans:globex");
			// Up to 10% of TTL jitter.
			assertThat(trialTtl).isBetween(1L, 3300L);
			assertThat(enterpriseTtl).isGreaterThan(60_000L);
			await().atMost(CacheFixture.BOUND).until(() -> cache.get("acme") == null);
			assertThat(cache.get("globex", String.class)).isEqualTo("enterprise");
		}
	}

	/**
	 * B counted three messages, saw no gap in the sender's numbers, and still serves
	 * {@code sku-1} from its local tier.
	 */
	private static void assertThreeReceivedWithoutAGapAndSku1StillLocal(CacheFixture.Instance b) {
		await().atMost(CacheFixture.BOUND).until(() -> b.count("perfkit.cache.invalidations.received") == 3);
		assertThat(b.count("perfkit.cache.local.flushes", "reason", "gap")).isZero();
		assertThat(b.cache("prices").get("sku-1", String.class)).isEqualTo("v");
		assertThat(b.count("perfkit.cache.gets", "tier", "local", "result", "hit")).isEqualTo(1);
	}

	private static final class IgnoringReceiver implements InvalidationBus.Receiver {

		@Override
		public void onInvalidation(Invalidation invalidation) {
		}

		@Override
		public void onFlush(String reason) {
		}

	}

	@Test
	void aHeartbeatAheadOfTheLastMessageRevealsALossAtTheTail() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			publish(redis, fixture, new Invalidation(Invalidation.Kind.KEYS, 7, 1, "prices", List.of("other")));
			publish(redis, fixture, new Invalidation(Invalidation.Kind.HEARTBEAT, 7, 1, "", List.of()));
			b.cache("prices").put("sku-1", "v");
			// Message 2 was lost and no message follows it: only the heartbeat tells.
			publish(redis, fixture, new Invalidation(Invalidation.Kind.HEARTBEAT, 7, 2, "", List.of()));
			await().atMost(CacheFixture.BOUND).until(() -> b.count("perfkit.cache.local.flushes", "reason", "gap") == 1);
			assertThat(b.cache("prices").getNativeCache()).extracting((cache) -> ((Cache<?, ?>) cache).estimatedSize())
				.isEqualTo(0L);
		}
	}

	/**
	 * On a cluster a sender's message 3 can arrive before its message 2, whose script may
	 * not have run yet: the flush at the jump cannot stand for message 2 (a copy read from
	 * Redis after the flush and before 2's write is dropped only by 2 itself), so 2 stays
	 * owed until it arrives or a heartbeat naming it shows it lost.
	 */
	@Test
	void aMessageOvertakenByALaterOneStaysOwedUntilItArrivesOrAHeartbeatNamesIt() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			InvalidationBus bus = b.manager().bus();
			b.cache("prices");
			publish(redis, fixture, new Invalidation(Invalidation.Kind.KEYS, 12, 1, "prices", List.of("other")));
			publish(redis, fixture, new Invalidation(Invalidation.Kind.KEYS, 12, 3, "prices", List.of("other")));
			// A message is counted when applied, and only then checked for a gap: wait for both.
			await().atMost(CacheFixture.BOUND)
				.until(() -> b.count("perfkit.cache.invalidations.received") == 2
						&& b.count("perfkit.cache.local.flushes", "reason", "gap") >= 1);
			assertThat(b.count("perfkit.cache.local.flushes", "reason", "gap")).isEqualTo(1);
			assertThat(bus.lastSeen(12)).isEqualTo(1);
			publish(redis, fixture, new Invalidation(Invalidation.Kind.KEYS, 12, 2, "prices", List.of("other")));
			await().atMost(CacheFixture.BOUND).until(() -> bus.lastSeen(12) == 3);
			assertThat(b.count("perfkit.cache.local.flushes", "reason", "gap")).isEqualTo(1);
			// 4 never comes: the jump to 5 flushes, and only a heartbeat naming 4 settles it.
			publish(redis, fixture, new Invalidation(Invalidation.Kind.KEYS, 12, 5, "prices", List.of("other")));
			await().atMost(CacheFixture.BOUND).until(() -> b.count("perfkit.cache.invalidations.received") == 4);
			assertThat(bus.lastSeen(12)).isEqualTo(3);
			b.cache("prices").put("sku-1", "v");
			publish(redis, fixture, new Invalidation(Invalidation.Kind.HEARTBEAT, 12, 5, "", List.of()));
			await().atMost(CacheFixture.BOUND).until(() -> bus.lastSeen(12) == 5);
			assertThat(b.count("perfkit.cache.local.flushes", "reason", "gap")).isEqualTo(3);
			assertThat(b.cache("prices").getNativeCache())
				.extracting((cache) -> ((Cache<?, ?>) cache).estimatedSize())
				.isEqualTo(0L);
		}
	}

	@Test
	void losingANewSendersFirstMessagesFlushesTheLocalTier() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			CacheFixture.Instance b = fixture.instance(fixture.settings());
			b.cache("prices");
			// A sender never heard from whose first message is number 1: nothing was lost.
			publish(redis, fixture, new Invalidation(Invalidation.Kind.KEYS, 8, 1, "prices", List.of("other")));
			// Another whose first message heard is number 3: its messages 1 and 2 were lost.
			publish(redis, fixture, new Invalidation(Invalidation.Kind.KEYS, 9, 3, "prices", List.of("other")));
			await().atMost(CacheFixture.BOUND).until(() -> b.count("perfkit.cache.local.flushes", "reason", "gap") == 1);
			assertThat(b.count("perfkit.cache.invalidations.received")).isEqualTo(2);
		}
	}

	private static void publish(RedisEndpoint redis, CacheFixture fixture, Invalidation invalidation) {
		Resp.callRaw(redis.host(), redis.port(), bytes("PUBLISH"), bytes(fixture.channel), invalidation.encode());
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
