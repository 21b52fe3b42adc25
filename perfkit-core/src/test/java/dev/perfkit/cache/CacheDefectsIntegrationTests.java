package dev.perfkit.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.Resp;
import dev.perfkit.test.TestRedis;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * One test per defect found in issue 10, each written to fail before its fix.
 */
class CacheDefectsIntegrationTests {

	/**
	 * Spring's {@code @Cacheable} on a {@code CompletableFuture} or {@code Mono} method
	 * invokes the method, and then puts its value, in whatever thread completes
	 * {@code retrieve}'s future. On a remote lookup that was Lettuce's event loop: a put
	 * there waits for a reply that only the blocked event loop can read, so every call on
	 * the connection stalled until the command timeout and the put failed. Redis is paused
	 * while the continuations are attached, so both lookups are still in flight then.
	 */
	@Test
	void aContinuationOfRetrieveNeverRunsOnRedissEventLoop() throws Exception {
		try (RedisProcess redis = RedisProcess.start(); CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			CacheFixture.Instance instance = fixture.instance(fixture.settings());
			TwoTierCache cache = instance.cache("prices");
			Resp.call("127.0.0.1", redis.port(), "CLIENT", "PAUSE", "1000", "ALL");
			CompletableFuture<Thread> lookup = cache.retrieve("plain").thenApply((found) -> {
				cache.put("plain", "p1");
				return Thread.currentThread();
			});
			CompletableFuture<Thread> load = cache.retrieve("loaded", () -> CompletableFuture.completedFuture("l1"))
				.thenApply((value) -> {
					cache.put("other", "o1");
					return Thread.currentThread();
				});
			assertThat(lookup.get(30, TimeUnit.SECONDS).getName()).doesNotContain("lettuce");
			assertThat(load.get(30, TimeUnit.SECONDS).getName()).doesNotContain("lettuce");
			// Unpaused, replies race the attaching of continuations: either order must hold.
			List<CompletableFuture<Thread>> raced = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				String key = "raced-" + i;
				CompletableFuture<?> found = (i % 2 == 0) ? cache.retrieve(key)
						: cache.retrieve(key, () -> CompletableFuture.completedFuture("l"));
				raced.add(found.thenApply((value) -> {
					cache.put(key, "r");
					return Thread.currentThread();
				}));
			}
			for (CompletableFuture<Thread> continuation : raced) {
				assertThat(continuation.get(30, TimeUnit.SECONDS).getName()).doesNotContain("lettuce");
			}
			assertThat(instance.count("perfkit.cache.remote.errors")).isZero();
			assertThat(Resp.call("127.0.0.1", redis.port(), "EXISTS", fixture.prefix + "prices:plain",
					fixture.prefix + "prices:other")).isEqualTo(2L);
			assertThat(Resp.call("127.0.0.1", redis.port(), "EXISTS", fixture.prefix + "prices:raced-0",
					fixture.prefix + "prices:raced-199")).isEqualTo(2L);
		}
	}

	@Test
	void aLoadedNullIsNullForTheCallerWhenNullsAreNotCached() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			TwoTierCache cache = fixture.instance(fixture.settings().withNullValues(false, Duration.ofSeconds(30)))
				.cache("users");
			Object sync = cache.get("nobody", () -> null);
			assertThat(sync).isNull();
			CompletableFuture<Object> async = cache.retrieve("no-one", () -> CompletableFuture.completedFuture(null));
			assertThat(async.get(10, TimeUnit.SECONDS)).isNull();
		}
	}

	@Test
	void theSnapshotCountsTheLoadsOfSpringsCacheableWithoutSync() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			CacheFixture.Instance instance = fixture.instance(fixture.settings());
			TwoTierCache cache = instance.cache("users");
			for (int i = 0; i < 5; i++) {
				// What CacheAspectSupport does for @Cacheable without sync: get, call, put.
				if (cache.get("user-" + i) == null) {
					cache.put("user-" + i, "name-" + i);
				}
			}
			assertThat(instance.manager().snapshot().caches().get(0).counts().loads()).isEqualTo(5);
			assertThat(cache.get("user-3", String.class)).isEqualTo("name-3");
		}
	}

	@Test
	void aPutAfterAMissedReadOnTheSameThreadNeverLeavesAnOlderValue() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			TwoTierCache a = fixture.instance(fixture.settings()).cache("users");
			TwoTierCache b = fixture.instance(fixture.settings()).cache("users");
			// A @Cacheable method that missed and then threw: no put followed the read.
			assertThat(a.get("alice")).isNull();
			b.put("alice", "v1");
			// Later, on the same thread, a @CachePut of a newer value.
			a.put("alice", "v2");
			await("B dropped v1").atMost(CacheFixture.BOUND).untilAsserted(() -> {
				org.springframework.cache.Cache.ValueWrapper found = b.get("alice");
				assertThat((found != null) ? found.get() : null).isIn(null, "v2");
			});
			org.springframework.cache.Cache.ValueWrapper onA = a.get("alice");
			assertThat((onA != null) ? onA.get() : null).isIn(null, "v2");
		}
	}

	@Test
	void aFailedReadLeavesNothingToReconcile() throws Exception {
		try (RedisProcess redis = RedisProcess.start();
				CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			CacheFixture.Instance a = fixture.faultInstance(fixture.settings());
			TwoTierCache cache = a.cache("users");
			redis.kill();
			await("Redis unavailable").atMost(CacheFixture.BOUND).until(() -> !a.connector().isAvailable());
			assertThat(cache.getAll(java.util.List.of("x", "y"))).isEmpty();
			assertThat(cache.get("z")).isNull();
			// Before, a failed batch read marked the whole cache, to be cleared in Redis on recovery.
			assertThat(cache.reconciled()).isTrue();
		}
	}

	/**
	 * Found by the checker on a cluster with {@code CLIENT PAUSE}: a whole-cache
	 * reconciliation takes its mark down before it clears Redis (so a failure recorded
	 * meanwhile survives the clear), and while that clear waited on a stalled server the
	 * cache said nothing was left to reconcile. The checker took that for quiescence and
	 * read a value that a write's late script had just put back, and that the waiting
	 * clear was about to delete.
	 */
	@Test
	void aReconciliationStillRunningIsPending() throws Exception {
		try (RedisProcess redis = RedisProcess.start();
				CacheFixture fixture = new CacheFixture("127.0.0.1", redis.port())) {
			// Reconcile by hand, not on the heartbeat tick.
			fixture.heartbeat = Duration.ofHours(1);
			TwoTierCache cache = fixture.instance(fixture.settings()).cache("users");
			cache.put("alice", "v1");
			cache.ledger().recordEverything();
			// Paused long enough that the assertions below run before it ends, however slow the
			// machine, and shorter than the 10 s command timeout.
			Resp.call("127.0.0.1", redis.port(), "CLIENT", "PAUSE", "5000", "ALL");
			CompletableFuture<Void> recovering = CompletableFuture.runAsync(cache::recover);
			await("the whole-cache mark taken down").atMost(CacheFixture.BOUND)
				.pollInterval(Duration.ofMillis(1))
				.until(() -> cache.ledger().isEmpty() || recovering.isDone());
			assertThat(recovering).as("the clear waits for the paused server").isNotDone();
			assertThat(cache.reconciled()).as("reconciled while the clear still runs").isFalse();
			recovering.get(CacheFixture.BOUND.toSeconds(), TimeUnit.SECONDS);
			assertThat(cache.reconciled()).isTrue();
			assertThat(cache.get("alice")).isNull();
		}
	}

	/**
	 * Found by the checker on a cluster with killed command connections: an evict (or
	 * clear) whose Redis call failed leaves the old entry in Redis; the same instance reads
	 * it back into its local tier before reconciliation runs; reconciliation deleted it from
	 * Redis and told only the other instances, so the copy outlived the round.
	 */
	@Test
	void reconciliationAlsoDropsTheReconcilingInstancesOwnCopy() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			// Reconcile by hand, not on the heartbeat tick.
			fixture.heartbeat = Duration.ofHours(1);
			TwoTierCache cache = fixture.instance(fixture.settings()).cache("users");
			cache.put("alice", "v1");
			// What an evict whose Redis call failed leaves: the key remembered for
			// reconciliation, no local copy, and the old entry still in Redis.
			cache.ledger().recordKey("alice");
			((com.github.benmanes.caffeine.cache.Cache<String, ?>) cache.getNativeCache()).invalidate("alice");
			assertThat(cache.get("alice", String.class)).isEqualTo("v1");
			cache.recover();
			assertThat(cache.reconciled()).isTrue();
			assertThat(cache.get("alice")).isNull();
		}
	}

	/**
	 * Found by the two-instance load smoke: a read sends {@code GET} and {@code PTTL} back
	 * to back, each asking the circuit breaker. Once the breaker had opened (command
	 * timeouts on a starved host) and its open duration passed, the {@code GET} carried the
	 * trial and the {@code PTTL} was refused while the trial was out, so the read failed
	 * without ever reporting the trial: the breaker stayed half-open and refused every
	 * command for the rest of the run. Every write of that instance then went to its local
	 * tier only, and the other instance never heard of them.
	 */
	@Test
	void aReadCarriesTheBreakersTrialAndClosesIt() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			// Open for 3 s, not 300 ms: the assertion that it is open must run before the open
			// duration ends, however slow the machine.
			CacheFixture.Instance a = fixture.instance(fixture.settings(),
					CacheFixture.steadyConnector().withBreaker(3, Duration.ofSeconds(3)));
			TwoTierCache cache = a.cache("users");
			cache.put("alice", "v1");
			((com.github.benmanes.caffeine.cache.Cache<String, ?>) cache.getNativeCache()).invalidate("alice");
			for (int i = 0; i < 3; i++) {
				a.connector().breaker().onFailure();
			}
			assertThat(a.connector().breaker().state()).isEqualTo(dev.perfkit.redis.CircuitBreaker.State.OPEN);
			await("a read closed the breaker").atMost(CacheFixture.BOUND).untilAsserted(() -> {
				((com.github.benmanes.caffeine.cache.Cache<String, ?>) cache.getNativeCache()).invalidate("alice");
				assertThat(cache.get("alice", String.class)).isEqualTo("v1");
				assertThat(a.connector().breaker().state()).isEqualTo(dev.perfkit.redis.CircuitBreaker.State.CLOSED);
			});
		}
	}

	/**
	 * Found by the two-instance load smoke: an evict refused by an open breaker is
	 * remembered for reconciliation, which ran only while the breaker let commands through,
	 * and only a caller's command moves an open breaker to its trial. Once the load
	 * stopped, nobody called, the breaker stayed open, the evict was never reconciled, and
	 * the other instance served the old value from Redis for the entry's whole TTL.
	 */
	@Test
	void aWriteRefusedByTheBreakerIsReconciledWithoutAnyCaller() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			// Open for 3 s, not the fault settings' 300 ms: the evict must still find it open, and
			// the assertions after it must run before reconciliation, however slow the machine.
			CacheFixture.Instance a = fixture.instance(fixture.settings(),
					CacheFixture.steadyConnector().withBreaker(3, Duration.ofSeconds(3)));
			TwoTierCache onA = a.cache("users");
			TwoTierCache onB = fixture.instance(fixture.settings()).cache("users");
			onA.put("alice", "v1");
			assertThat(onB.get("alice", String.class)).isEqualTo("v1");
			for (int i = 0; i < 3; i++) {
				a.connector().breaker().onFailure();
			}
			onA.evict("alice");
			assertThat(onA.reconciled()).isFalse();
			assertThat(a.manager().snapshot().caches()).singleElement()
				.satisfies((view) -> assertThat(view.reconciling()).isTrue());
			await("A reconciled its evict").atMost(CacheFixture.BOUND).until(onA::reconciled);
			assertThat(a.manager().snapshot().caches()).singleElement()
				.satisfies((view) -> assertThat(view.reconciling()).isFalse());
			assertThat(Resp.call(redis.host(), redis.port(), "EXISTS", fixture.prefix + "users:alice")).isEqualTo(0L);
			await("B heard of it").atMost(CacheFixture.BOUND).until(() -> onB.get("alice") == null);
		}
	}

	@Test
	void theLeaseKeyIsUnderTheKeyPrefix() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			TwoTierCache cache = fixture
				.instance(fixture.settings().withLease(true, Duration.ofSeconds(10), Duration.ofSeconds(5)))
				.cache("users");
			Object[] leaseKeys = new Object[1];
			cache.get("alice", () -> {
				leaseKeys[0] = Resp.call(redis.host(), redis.port(), "EXISTS", fixture.prefix + "lease:users:alice");
				return "Alice";
			});
			assertThat(leaseKeys[0]).isEqualTo(1L);
		}
	}

	@Test
	void aCopyFromRedisLivesLocallyNoLongerThanTheEntryInRedis() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			TwoTierCache a = fixture.instance(fixture.settings()).cache("users");
			TwoTierCache b = fixture.instance(fixture.settings()).cache("users");
			a.put("alice", "Alice");
			String key = fixture.prefix + "users:alice";
			assertThat(Resp.call(redis.host(), redis.port(), "PEXPIRE", key, "400")).isEqualTo(1L);
			assertThat(b.get("alice", String.class)).isEqualTo("Alice");
			await("the entry expired in Redis").atMost(CacheFixture.BOUND)
				.until(() -> Long.valueOf(0).equals(Resp.call(redis.host(), redis.port(), "EXISTS", key)));
			// Another instance may now load and fill a newer value without announcing it.
			assertThat(b.get("alice")).isNull();
		}
	}

	@Test
	void aLoaderThatReadsItsOwnKeyFailsInsteadOfWaitingForItself() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		try (CacheFixture fixture = new CacheFixture(redis.host(), redis.port())) {
			TwoTierCache cache = fixture.instance(fixture.settings()).cache("users");
			CompletableFuture<Object> load = CompletableFuture
				.supplyAsync(() -> cache.get("alice", () -> cache.get("alice", () -> "inner")));
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> load.get(10, TimeUnit.SECONDS))
				.havingRootCause()
				.isInstanceOf(IllegalStateException.class)
				.withMessageContaining("Recursive load");
		}
	}

}
