package dev.perfkit.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorSettings;
import dev.perfkit.redis.RedisUnavailableException;
import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.Resp;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The non-blocking check that reactive callers use: it never takes the blocking path, it
 * completes only when the backend answers, it applies the failure policies and the
 * shortcut like the blocking check, and on Redis it is exact under concurrency.
 */
class RateLimiterAsyncTests {

	private static final Tier CLOSED = new Tier("closed", List.of(Limit.parse("2/1h")), Algorithm.SLIDING_LOG,
			FailurePolicy.DENY, Map.of());

	private static final Tier OPEN = new Tier("open", List.of(Limit.parse("2/1h")), Algorithm.SLIDING_LOG,
			FailurePolicy.ALLOW, Map.of());

	private static final Tier FALLBACK = new Tier("fallback", List.of(Limit.parse("2/1h")), Algorithm.SLIDING_LOG,
			FailurePolicy.LOCAL, Map.of());

	@Test
	void theAsyncCheckNeverBlocksAndCompletesWhenTheBackendAnswers() {
		AsyncOnlyBackend backend = new AsyncOnlyBackend();
		RateLimiter limiter = limiter(backend);
		CompletableFuture<Decision> first = limiter.checkAsync("closed", null, "k", 1);
		assertThat(first).isNotDone();
		backend.answerNext();
		assertThat(first.join().allowed()).isTrue();
		assertThat(first.join().source()).isEqualTo(Decision.Source.LOCAL);
		CompletableFuture<Decision> second = limiter.checkAsync("closed", null, "k", 1);
		backend.answerNext();
		assertThat(second.join().allowed()).isTrue();
		CompletableFuture<Decision> third = limiter.checkAsync("closed", null, "k", 1);
		backend.answerNext();
		assertThat(third.join().allowed()).isFalse();
		// The rejection is remembered: the next checks are answered at once, without a call.
		for (int i = 0; i < 10; i++) {
			CompletableFuture<Decision> known = limiter.checkAsync("closed", null, "k", 1);
			assertThat(known).isDone();
			assertThat(known.join().source()).isEqualTo(Decision.Source.SHORTCUT);
		}
		assertThat(backend.calls).isEqualTo(3);
	}

	@Test
	void aCheckOfAKeyWithACallInFlightWaitsForItsAnswerWithoutBlocking() {
		AsyncOnlyBackend backend = new AsyncOnlyBackend();
		RateLimiter limiter = limiter(backend);
		CompletableFuture<Decision> leader = limiter.checkAsync("closed", null, "k", 1);
		CompletableFuture<Decision> follower = limiter.checkAsync("closed", null, "k", 1);
		assertThat(follower).isNotDone();
		assertThat(backend.calls).isEqualTo(1);
		// The leader was admitted: the follower then asks Redis itself.
		backend.answerNext();
		assertThat(leader.join().allowed()).isTrue();
		assertThat(follower).isNotDone();
		assertThat(backend.calls).isEqualTo(2);
		backend.answerNext();
		assertThat(follower.join().allowed()).isTrue();
		// The key is now full: the next leader is rejected, and its followers with it, without a call.
		CompletableFuture<Decision> rejected = limiter.checkAsync("closed", null, "k", 1);
		List<CompletableFuture<Decision>> followers = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			followers.add(limiter.checkAsync("closed", null, "k", 1));
		}
		assertThat(backend.calls).isEqualTo(3);
		backend.answerNext();
		assertThat(rejected.join().allowed()).isFalse();
		assertThat(followers).allSatisfy((check) -> {
			assertThat(check).isDone();
			assertThat(check.join().allowed()).isFalse();
			assertThat(check.join().source()).isEqualTo(Decision.Source.SHORTCUT);
		});
		assertThat(backend.calls).isEqualTo(3);
	}

	@Test
	void aCheckWaitingOnACallThatFailsAsksItselfAndGetsItsTiersFailurePolicy() {
		AsyncOnlyBackend backend = new AsyncOnlyBackend();
		RateLimiter limiter = limiter(backend);
		CompletableFuture<Decision> leader = limiter.checkAsync("closed", null, "k", 1);
		CompletableFuture<Decision> follower = limiter.checkAsync("closed", null, "k", 1);
		backend.failAll();
		assertThat(leader.join().allowed()).isFalse();
		assertThat(leader.join().source()).isEqualTo(Decision.Source.POLICY);
		// The follower's own call was sent when the leader's failed (and failed with it here).
		assertThat(backend.calls).isEqualTo(2);
		assertThat(follower.join().allowed()).isFalse();
		assertThat(follower.join().source()).isEqualTo(Decision.Source.POLICY);
	}

	@Test
	void whenTheBackendCannotAnswerEachTiersFailurePolicyDecides() {
		AsyncOnlyBackend backend = new AsyncOnlyBackend();
		RateLimiter limiter = limiter(backend);
		CompletableFuture<Decision> closed = limiter.checkAsync("closed", null, "k", 1);
		CompletableFuture<Decision> open = limiter.checkAsync("open", null, "k", 1);
		CompletableFuture<Decision> fallback = limiter.checkAsync("fallback", null, "k", 1);
		backend.failAll();
		assertThat(closed.join().allowed()).isFalse();
		assertThat(closed.join().retryAfterMillis()).isEqualTo(1000);
		assertThat(open.join().allowed()).isTrue();
		assertThat(open.join().source()).isEqualTo(Decision.Source.POLICY);
		assertThat(fallback.join().allowed()).isTrue();
		assertThat(fallback.join().source()).isEqualTo(Decision.Source.FALLBACK);
	}

	@Test
	void onRedisSixtyFourConcurrentAsyncChecksAdmitExactlyTheLimitAndARefundGivesOneBack() throws Exception {
		try (RedisProcess redis = RedisProcess.start()) {
			RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
			RedisConnector connector = new RedisConnector(() -> client,
					RedisConnectorSettings.defaults("ratelimit").withCommandTimeout(Duration.ofSeconds(10)));
			ExecutorService pool = Executors.newFixedThreadPool(8);
			try {
				connector.connect();
				await().atMost(Duration.ofSeconds(20)).until(connector::isAvailable);
				// The script cache is empty: the first calls take the NOSCRIPT path.
				Resp.call("127.0.0.1", redis.port(), "SCRIPT", "FLUSH");
				RateLimiter limiter = new RateLimiter(Map.of("closed", CLOSED), new RedisRateLimiter(connector),
						new LocalRateLimiter(1000), null);
				List<CompletableFuture<Decision>> checks = new ArrayList<>();
				for (int i = 0; i < 64; i++) {
					checks.add(CompletableFuture.supplyAsync(() -> limiter.checkAsync("closed", null, "k", 1), pool)
						.thenCompose((check) -> check));
				}
				List<Decision> decisions = checks.stream().map(CompletableFuture::join).toList();
				assertThat(decisions).filteredOn(Decision::allowed).hasSize(2)
					.allSatisfy((decision) -> assertThat(decision.source()).isEqualTo(Decision.Source.REDIS));
				assertThat(decisions).filteredOn((decision) -> !decision.allowed()).hasSize(62);
				Decision admitted = decisions.stream().filter(Decision::allowed).findFirst().orElseThrow();
				assertThat(limiter.refundAsync(admitted, "k", 1).join()).isTrue();
				assertThat(limiter.checkAsync("closed", null, "k", 1).join().allowed()).isTrue();
				assertThat(limiter.checkAsync("closed", null, "k", 1).join().allowed()).isFalse();
			}
			finally {
				pool.shutdownNow();
				pool.awaitTermination(10, TimeUnit.SECONDS);
				connector.close();
				client.shutdown();
			}
		}
	}

	private static RateLimiter limiter(RateLimitBackend backend) {
		return new RateLimiter(Map.of("closed", CLOSED, "open", OPEN, "fallback", FALLBACK), backend,
				new LocalRateLimiter(1000), null, 100);
	}

	/**
	 * A backend that fails the test if its blocking methods are called, and answers its
	 * asynchronous checks only when told, by a local limiter's decision relabelled as its
	 * own, or with an outage.
	 */
	private static final class AsyncOnlyBackend implements RateLimitBackend {

		private final LocalRateLimiter decider = new LocalRateLimiter(1000);

		private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();

		private final Queue<CompletableFuture<Decision>> futures = new ConcurrentLinkedQueue<>();

		int calls;

		@Override
		public Decision check(Quota quota, String key, long cost, boolean dryRun) {
			throw new AssertionError("the blocking check was called");
		}

		@Override
		public void refund(Quota quota, String key, long cost, long chargedAtMillis) {
			throw new AssertionError("the blocking refund was called");
		}

		@Override
		public CompletableFuture<Decision> checkAsync(Quota quota, String key, long cost, boolean dryRun) {
			this.calls++;
			CompletableFuture<Decision> future = new CompletableFuture<>();
			this.futures.add(future);
			this.pending.add(() -> future.complete(this.decider.check(quota, key, cost, dryRun)));
			return future;
		}

		void answerNext() {
			this.futures.poll();
			this.pending.poll().run();
		}

		void failAll() {
			CompletableFuture<Decision> future;
			while ((future = this.futures.poll()) != null) {
				future.completeExceptionally(new RedisUnavailableException("down", null));
			}
		}

	}

}
