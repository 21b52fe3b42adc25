package dev.perfkit.ratelimit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.perfkit.redis.RedisConnector;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;

/**
 * The Redis backend with permit leasing for the hot keys of chosen token-bucket tiers: an
 * instance takes a small batch of a key's permits from Redis in one script call and
 * spends them itself, so a key checked thousands of times a second costs Redis one call
 * per batch instead of one per check (in the manner of YouTube's Doorman, which hands out
 * capacity to clients for a bounded time). Tiers without a {@link LeasePolicy} go to
 * {@link RedisRateLimiter} unchanged.
 * <p>
 * <b>Implementation note.</b> A lease is charged to the key's token bucket in Redis, all
 * of it, atomically, before any of its permits is spent (the script's {@code l} mode takes
 * as many whole permits as every limit holds, up to the batch, when that is at least the
 * check's cost). A permit is therefore admitted on one instance only after Redis charged
 * it, and at most once (this instance's lease state is guarded by its monitor), so across
 * all instances the admissions of a key never exceed what Redis charged, and Redis never
 * charges more than the bucket allows: <b>leasing cannot over-admit in total.</b> What it
 * changes:
 * <ul>
 * <li><b>When.</b> A permit may be spent up to the lease duration {@code L} after Redis
 * charged it (a lease lapses {@code L} after its call was sent; what is left then is
 * lost). Over any span {@code T}, a key is admitted at most {@code N + N·(T+L)/W} times
 * for a limit {@code N/W}, instead of {@code N + N·T/W}: one lease duration's refill more.
 * A {@link LeasePolicy} is therefore accepted only for windows no shorter than {@code L}.</li>
 * <li><b>Under-admission.</b> Permits left in a lease when it lapses (or when its entry is
 * evicted) are lost: the key is admitted less than its limit allows, never more. To keep
 * that small, a key leases only when it is hot on this instance: its first check here
 * asks Redis as usual, and a lease is at most twice the permits the key asked of this
 * instance over about the last lease duration (so the batch grows by doubling under a
 * flood, up to the policy's batch, and a key checked once a minute never leases). Each
 * instance can thus strand at most {@code 2·batch − 1} permits of a key per lease duration
 * (the lease being spent and the one taken ahead), and only of a key whose demand there
 * was about half a lease or more.</li>
 * <li><b>Fairness between instances.</b> An instance holding a lease admits from it while
 * another instance finds Redis short and rejects: near the limit, the instance that
 * leased first gets up to {@code 2·batch} more of the key's permits than its share.</li>
 * <li><b>Headers.</b> A check paid from a lease reports Redis's remaining permits at this
 * instance's latest lease call plus its own unspent leased permits, with reset and time
 * aged from that call: permits other instances took from Redis since then make
 * {@code RateLimit-Remaining} too high by as many, the refill since then (up to
 * {@code N·L/W}, rounded up) too low, and permits other instances hold in their leases (up
 * to {@code 2·batch} each) are not counted.</li>
 * </ul>
 * One lease call per key is in flight per instance. Once half a lease is spent, the check
 * that finds it so takes the next lease without waiting for it (an asynchronous call), so
 * that a hot key's checks keep spending the current lease and find the next one installed
 * when it runs out: an instance holds at most two leases of a key, the one being spent and
 * the next. Checks that find both empty while a call is out wait for it (each wait bounded
 * by the connector's command timeout, at most two waits) and then take from the new lease;
 * when it is spent already, they ask Redis for their own cost as usual. A rejected lease
 * answers its waiters with Redis's rejection when their cost is at least as large. Dry
 * runs are answered from a lease that could pay them, else by Redis. Refunds go to Redis
 * (a leased permit was charged there). Memory: at most {@code maximumKeys} keys' leases
 * per quota, each dropped after two lease durations without a check.
 */
public final class LeasingRateLimiter implements RateLimitBackend {

	/** How many lease calls a check waits for before it asks Redis for its own cost. */
	private static final int MAX_WAITS = 2;

	private static final byte[] LEASE = { 'l' };

	private final RedisRateLimiter redis;

	private final Map<String, LeasePolicy> policies;

	private final long maximumKeys;

	private final Map<Quota, Cache<String, Lease>> leases = new ConcurrentHashMap<>();

	/**
	 * Create a leasing backend around the Redis backend.
	 * @param redis the Redis backend, which decides every tier without a lease policy
	 * @param policies lease policies by tier name; each tier must count with a token bucket
	 * @param maximumKeys how many keys' leases to keep per quota
	 */
	public LeasingRateLimiter(RedisRateLimiter redis, Map<String, LeasePolicy> policies, long maximumKeys) {
		this.redis = redis;
		this.policies = Map.copyOf(policies);
		this.maximumKeys = maximumKeys;
	}

	/**
	 * Return the Redis backend this one leases from.
	 * @return the Redis backend
	 */
	public RedisRateLimiter redis() {
		return this.redis;
	}

	/**
	 * Return the connector of the Redis backend.
	 * @return the connector
	 */
	public RedisConnector connector() {
		return this.redis.connector();
	}

	@Override
	public Decision check(Quota quota, String key, long cost, boolean dryRun) {
		LeasePolicy policy = policy(quota, cost);
		if (policy == null) {
			return this.redis.check(quota, key, cost, dryRun);
		}
		Lease lease = lease(quota, policy, key);
		if (dryRun) {
			Decision held = lease.peek(cost, System.nanoTime());
			return (held != null) ? held : this.redis.check(quota, key, cost, true);
		}
		int waits = 0;
		while (true) {
			Step step = lease.next(cost, policy, System.nanoTime(), waits < MAX_WAITS);
			switch (step.kind) {
				case ADMIT:
					if (step.pending != null) {
						prefetch(quota, key, lease, step, policy);
					}
					return step.decision;
				case ASK:
					return this.redis.check(quota, key, cost, false);
				case FETCH:
					return fetch(quota, key, cost, lease, step, policy);
				default:
					Grant grant;
					try {
						grant = step.pending.join();
					}
					catch (CompletionException ex) {
						throw unwrap(ex);
					}
					if (!grant.decision.allowed() && cost >= grant.cost) {
						return grant.decision;
					}
					waits++;
			}
		}
	}

	@Override
	public CompletableFuture<Decision> checkAsync(Quota quota, String key, long cost, boolean dryRun) {
		LeasePolicy policy = policy(quota, cost);
		if (policy == null) {
			return this.redis.checkAsync(quota, key, cost, dryRun);
		}
		Lease lease = lease(quota, policy, key);
		if (dryRun) {
			Decision held = lease.peek(cost, System.nanoTime());
			return (held != null) ? CompletableFuture.completedFuture(held) : this.redis.checkAsync(quota, key, cost, true);
		}
		return attemptAsync(quota, key, cost, lease, policy, 0);
	}

	@Override
	public void refund(Quota quota, String key, long cost, long chargedAtMillis) {
		this.redis.refund(quota, key, cost, chargedAtMillis);
	}

	@Override
	public CompletableFuture<Void> refundAsync(Quota quota, String key, long cost, long chargedAtMillis) {
		return this.redis.refundAsync(quota, key, cost, chargedAtMillis);
	}

	private LeasePolicy policy(Quota quota, long cost) {
		LeasePolicy policy = this.policies.get(quota.tier());
		if (policy == null || quota.algorithm() != Algorithm.TOKEN_BUCKET || cost >= policy.batch()) {
			return null;
		}
		return policy;
	}

	private Lease lease(Quota quota, LeasePolicy policy, String key) {
		Cache<String, Lease> quotaLeases = this.leases.get(quota);
		if (quotaLeases == null) {
			quotaLeases = this.leases.computeIfAbsent(quota, (ignored) -> Caffeine.newBuilder()
				.executor(Runnable::run)
				.maximumSize(this.maximumKeys)
				.expireAfterAccess(policy.duration().multipliedBy(2))
				.build());
		}
		return quotaLeases.get(key, (ignored) -> new Lease());
	}

	private Decision fetch(Quota quota, String key, long cost, Lease lease, Step step, LeasePolicy policy) {
		long sent = System.nanoTime();
		byte[][] keys = RedisRateLimiter.keys(quota, key);
		byte[][] args = RedisRateLimiter.args(quota, cost, LEASE, -1, RedisRateLimiter.ascii(step.batch));
		Grant grant;
		try {
			List<Object> reply;
			try {
				reply = this.redis.connector()
					.executeSync((redis) -> redis.<List<Object>>evalsha(RedisRateLimiter.SHA, ScriptOutputType.MULTI,
							keys, args));
			}
			catch (RedisCommandExecutionException ex) {
				if (!isNoScript(ex)) {
					throw ex;
				}
				// Redis restarted or flushed its scripts: one EVAL of the full script, as the
				// Redis backend does.
				reply = this.redis.connector()
					.executeSync((redis) -> redis.<List<Object>>eval(RedisRateLimiter.SCRIPT, ScriptOutputType.MULTI,
							keys, args));
			}
			grant = Grant.of(quota, cost, reply);
		}
		catch (RuntimeException | Error ex) {
			lease.failed();
			step.pending.completeExceptionally(ex);
			throw ex;
		}
		return settle(grant, cost, lease, step, sent, policy);
	}

	private Decision settle(Grant grant, long cost, Lease lease, Step step, long sent, LeasePolicy policy) {
		long left = lease.granted(grant, cost, sent, policy.duration().toNanos());
		step.pending.complete(grant);
		Decision decision = grant.decision;
		if (!decision.allowed()) {
			return decision;
		}
		return new Decision(true, decision.quota(), decision.limit(), decision.remaining() + left,
				decision.resetMillis(), 0, decision.timeMillis(), decision.source());
	}

	private CompletableFuture<Decision> attemptAsync(Quota quota, String key, long cost, Lease lease,
			LeasePolicy policy, int waits) {
		Step step = lease.next(cost, policy, System.nanoTime(), waits < MAX_WAITS);
		switch (step.kind) {
			case ADMIT:
				if (step.pending != null) {
					prefetch(quota, key, lease, step, policy);
				}
				return CompletableFuture.completedFuture(step.decision);
			case ASK:
				return this.redis.checkAsync(quota, key, cost, false);
			case FETCH:
				long sent = System.nanoTime();
				return leaseAsync(quota, key, cost, step.batch).handle((grant, failure) -> {
					if (failure != null) {
						RuntimeException cause = unwrap(failure);
						lease.failed();
						step.pending.completeExceptionally(cause);
						throw cause;
					}
					return settle(grant, cost, lease, step, sent, policy);
				});
			default:
				return step.pending.handle((grant, failure) -> {
					if (failure != null) {
						return CompletableFuture.<Decision>failedFuture(unwrap(failure));
					}
					if (!grant.decision.allowed() && cost >= grant.cost) {
						return CompletableFuture.completedFuture(grant.decision);
					}
					return attemptAsync(quota, key, cost, lease, policy, waits + 1);
				}).thenCompose(Function.identity());
		}
	}

	/**
	 * Take the next lease ahead of need, without waiting for it: the checks of a hot key
	 * keep spending the current lease meanwhile, and find the next one installed when it
	 * runs out. A prefetch asks for at least one permit.
	 */
	private void prefetch(Quota quota, String key, Lease lease, Step step, LeasePolicy policy) {
		long sent = System.nanoTime();
		leaseAsync(quota, key, 1, step.batch).whenComplete((grant, failure) -> {
			if (failure != null) {
				lease.failed();
				step.pending.completeExceptionally(failure);
			}
			else {
				lease.prefetched(grant, sent, policy.duration().toNanos());
				step.pending.complete(grant);
			}
		});
	}

	/** One lease call on the connector's asynchronous path, parsed; never throws. */
	private CompletableFuture<Grant> leaseAsync(Quota quota, String key, long cost, long batch) {
		byte[][] keys = RedisRateLimiter.keys(quota, key);
		byte[][] args = RedisRateLimiter.args(quota, cost, LEASE, -1, RedisRateLimiter.ascii(batch));
		try {
			return this.redis.connector()
				.<List<Object>>execute((redis) -> redis.evalsha(RedisRateLimiter.SHA, ScriptOutputType.MULTI, keys, args))
				.exceptionallyCompose((failure) -> {
					Throwable cause = unwrap(failure);
					if (cause instanceof RedisCommandExecutionException answer && isNoScript(answer)) {
						return this.redis.connector()
							.execute((redis) -> redis.<List<Object>>eval(RedisRateLimiter.SCRIPT, ScriptOutputType.MULTI,
									keys, args));
					}
					return CompletableFuture.failedFuture(cause);
				})
				.thenApply((reply) -> Grant.of(quota, cost, reply));
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	private static RuntimeException unwrap(Throwable failure) {
		Throwable cause = failure;
		while (cause instanceof CompletionException && cause.getCause() != null) {
			cause = cause.getCause();
		}
		if (cause instanceof RuntimeException runtime) {
			return runtime;
		}
		if (cause instanceof Error error) {
			throw error;
		}
		return new CompletionException(cause);
	}

	private static boolean isNoScript(RedisCommandExecutionException ex) {
		return ex.getMessage() != null && ex.getMessage().startsWith("NOSCRIPT");
	}

	/**
	 * Redis's answer to one lease call.
	 *
	 * @param decision Redis's decision on the batch (figures after charging it)
	 * @param cost the cost of the check that asked for the lease
	 * @param granted the permits charged, 0 when rejected
	 */
	private record Grant(Decision decision, long cost, long granted) {

		static Grant of(Quota quota, long cost, List<Object> reply) {
			// A lease is a token bucket's: one level per limit, then the permits granted.
			Decision decision = Decision.of((Long) reply.get(0) == 1L, quota,
					RedisRateLimiter.figures(quota, cost, reply), (Long) reply.get(1), Decision.Source.REDIS);
			return new Grant(decision, cost, (Long) reply.get(2 + quota.limits().size()));
		}

	}

	/** What a check does next, as its key's lease decides. */
	private static final class Step {

		enum Kind {

			/**
			 * Paid from the lease: {@link #decision} is the answer; with {@link #pending},
			 * also take the next lease of {@link #batch} ahead of need.
			 */
			ADMIT,

			/** Ask Redis for the check's own cost, as without leasing. */
			ASK,

			/** Ask Redis for a lease of {@link #batch}, and complete {@link #pending}. */
			FETCH,

			/** Wait for the lease call in flight ({@link #pending}), then try again. */
			WAIT

		}

		static final Step ASK = new Step(Kind.ASK, null, 0, null);

		final Kind kind;

		final Decision decision;

		final long batch;

		final CompletableFuture<Grant> pending;

		Step(Kind kind, Decision decision, long batch, CompletableFuture<Grant> pending) {
			this.kind = kind;
			this.decision = decision;
			this.batch = batch;
			this.pending = pending;
		}

	}

	/**
	 * One key's leases on this instance (the one being spent and at most one taken ahead of
	 * need), and the demand that sizes the next. Guarded by its monitor; nothing inside it
	 * waits or does I/O.
	 */
	private static final class Lease {

		/** Permits left to spend in the current lease, until {@link #expiresNanos}. */
		private long permits;

		private long expiresNanos;

		/** Redis's decision on the current lease, and when its call was sent. */
		private Decision basis;

		private long basisNanos;

		/** The lease taken ahead of need, installed when the current one cannot pay. */
		private long nextPermits;

		private long nextExpiresNanos;

		private Decision nextBasis;

		private long nextBasisNanos;

		/** The size asked for by the last lease call. */
		private long lastBatch;

		/** Whether this instance checked the key before. */
		private boolean seen;

		/** Since when {@link #asked} counts: the last lease call or the start of demand. */
		private long since;

		/** Permits checks asked for since {@link #since}. */
		private long asked;

		/** The lease call in flight, or {@code null}. */
		private CompletableFuture<Grant> pending;

		synchronized Step next(long cost, LeasePolicy policy, long now, boolean mayWait) {
			this.asked += cost;
			promote(cost, now);
			if (this.permits >= cost && now - this.expiresNanos < 0) {
				this.permits -= cost;
				Decision decision = leased(now);
				if (this.pending == null && this.nextPermits == 0 && 2 * this.permits < this.lastBatch) {
					// Half the lease is spent: take the next one while this one still pays. Half
					// spent within half a lease duration is a demand of at least a whole lease
					// per duration: double it (within twice the demand).
					long batch = (now - this.since < policy.duration().toNanos() / 2)
							? Math.min(policy.batch(), 2 * this.lastBatch) : batch(policy, now);
					if (batch >= 2) {
						return new Step(Step.Kind.ADMIT, decision, batch, call(batch, now));
					}
				}
				return new Step(Step.Kind.ADMIT, decision, 0, null);
			}
			if (this.pending != null) {
				return mayWait ? new Step(Step.Kind.WAIT, null, 0, this.pending) : Step.ASK;
			}
			long batch = this.seen ? batch(policy, now) : 0;
			if (batch <= cost) {
				if (!this.seen || now - this.since >= policy.duration().toNanos()) {
					this.seen = true;
					this.since = now;
					this.asked = cost;
				}
				return Step.ASK;
			}
			return new Step(Step.Kind.FETCH, null, batch, call(batch, now));
		}

		/**
		 * Twice what the key asked of this instance over about one lease duration, at most
		 * the policy's batch: doubling under a flood, small for a key that is merely warm.
		 */
		private long batch(LeasePolicy policy, long now) {
			long duration = policy.duration().toNanos();
			double perDuration = (double) this.asked * duration / Math.max(now - this.since, duration);
			return Math.min(policy.batch(), (long) Math.ceil(2 * perDuration));
		}

		private CompletableFuture<Grant> call(long batch, long now) {
			this.since = now;
			this.asked = 0;
			this.lastBatch = batch;
			this.pending = new CompletableFuture<>();
			return this.pending;
		}

		/**
		 * Spend the lease taken ahead of need once the current one cannot pay: what is left
		 * of the current one (fewer permits than a cost, or lapsed) is lost.
		 */
		private void promote(long cost, long now) {
			if ((this.permits < cost || now - this.expiresNanos >= 0) && this.nextPermits > 0
					&& now - this.nextExpiresNanos < 0) {
				this.permits = this.nextPermits;
				this.expiresNanos = this.nextExpiresNanos;
				this.basis = this.nextBasis;
				this.basisNanos = this.nextBasisNanos;
				this.nextPermits = 0;
				this.nextBasis = null;
			}
		}

		/** Install a lease asked for by a check: the permits beyond the check's cost. */
		synchronized long granted(Grant grant, long cost, long sentNanos, long durationNanos) {
			this.pending = null;
			if (!grant.decision.allowed()) {
				return 0;
			}
			// Any permits still here were fewer than a cost (else no call), and there is no
			// lease ahead (else it was promoted): dropping them can only under-admit.
			this.permits = grant.granted - cost;
			this.expiresNanos = sentNanos + durationNanos;
			this.basis = grant.decision;
			this.basisNanos = sentNanos;
			this.nextPermits = 0;
			this.nextBasis = null;
			return this.permits;
		}

		/** Install a lease taken ahead of need, to be spent after the current one. */
		synchronized void prefetched(Grant grant, long sentNanos, long durationNanos) {
			this.pending = null;
			if (grant.decision.allowed()) {
				this.nextPermits = grant.granted;
				this.nextExpiresNanos = sentNanos + durationNanos;
				this.nextBasis = grant.decision;
				this.nextBasisNanos = sentNanos;
			}
		}

		synchronized void failed() {
			this.pending = null;
		}

		/** Answer a dry run from the leases, or {@code null} when they could not pay it. */
		synchronized Decision peek(long cost, long now) {
			promote(cost, now);
			return (this.permits >= cost && now - this.expiresNanos < 0) ? leased(now) : null;
		}

		/**
		 * A decision paid from the leases: Redis's permits left at the latest lease call plus
		 * those this instance holds, reset and time aged from that call.
		 */
		private Decision leased(long now) {
			boolean ahead = this.nextBasis != null;
			Decision latest = ahead ? this.nextBasis : this.basis;
			long elapsed = TimeUnit.NANOSECONDS.toMillis(now - (ahead ? this.nextBasisNanos : this.basisNanos));
			return new Decision(true, latest.quota(), latest.limit(), latest.remaining() + this.permits + this.nextPermits,
					Math.max(0, latest.resetMillis() - elapsed), 0, latest.timeMillis() + elapsed, latest.source());
		}

	}

}
