package dev.perfkit.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Checks requests against named tiers, on Redis or locally, and applies each tier's
 * failure policy while Redis cannot answer.
 * <p>
 * <b>Implementation note.</b> This class holds no per-key state: the backend decides
 * atomically per key (one Lua call on Redis, one bucket or log locally), so concurrent
 * checks on any number of threads and instances cannot over-admit. When the Redis backend
 * throws (down, timed out, breaker open, an error reply), the tier's policy decides:
 * {@code allow} admits without counting, {@code deny} rejects, {@code local} asks this
 * instance's local limiter, whose counters are separate from Redis's (so during an
 * outage each instance allows up to the limit, and counting restarts in Redis after it
 * returns). There is no switching state to race on: every check tries Redis first, and the
 * connector's timeout and breaker make that attempt fail at once during an outage. Meters
 * and totals are cached per tier, plan and outcome, so the hot path allocates no tags.
 */
public final class RateLimiter {

	/** The plan tag of a quota that is the tier's own, not a plan's. */
	public static final String DEFAULT_PLAN = "default";

	private final Map<String, Tier> tiers;

	private final RateLimitBackend remote;

	private final LocalRateLimiter local;

	private final LocalRateLimiter fallback;

	private final MeterRegistry registry;

	private final List<RateLimitListener> listeners = new CopyOnWriteArrayList<>();

	private final Map<Quota, Outcomes> outcomes = new ConcurrentHashMap<>();

	private final Map<String, LongAdder[]> totals = new ConcurrentHashMap<>();

	private final Map<String, Counter> fallbacks = new ConcurrentHashMap<>();

	private final Timer remoteLatency;

	private final Timer localLatency;

	/**
	 * Create a limiter.
	 * @param tiers the tiers by name
	 * @param remote the Redis backend, or {@code null} to decide locally
	 * @param local the local backend, also the fallback
	 * @param registry where to record meters, or {@code null} for none
	 */
	public RateLimiter(Map<String, Tier> tiers, RateLimitBackend remote, LocalRateLimiter local,
			MeterRegistry registry) {
		this.tiers = Map.copyOf(tiers);
		this.remote = remote;
		this.local = local;
		this.fallback = local.as(Decision.Source.FALLBACK);
		this.registry = (registry != null) ? registry : new SimpleMeterRegistry();
		this.remoteLatency = Timer.builder("perfkit.ratelimit.backend.latency").tag("backend", "redis")
			.description("Time to decide one check").register(this.registry);
		this.localLatency = Timer.builder("perfkit.ratelimit.backend.latency").tag("backend", "local")
			.description("Time to decide one check").register(this.registry);
	}

	/**
	 * Listen to rejections.
	 * @param listener the listener
	 */
	public void addListener(RateLimitListener listener) {
		this.listeners.add(listener);
	}

	/**
	 * Return a tier.
	 * @param name the tier's name
	 * @return the tier, or {@code null} when unknown
	 */
	public Tier tier(String name) {
		return this.tiers.get(name);
	}

	/**
	 * Check and charge one request.
	 * @param tier the tier's name
	 * @param plan the caller's plan, may be {@code null}
	 * @param key the caller's identity within the tier
	 * @param cost the permits to take
	 * @return the decision
	 * @throws IllegalArgumentException for an unknown tier
	 */
	public Decision check(String tier, String plan, String key, long cost) {
		return check(tier, plan, key, cost, false);
	}

	/**
	 * Check one request, charging it unless rejected or a dry run.
	 * @param tierName the tier's name
	 * @param plan the caller's plan, may be {@code null}
	 * @param key the caller's identity within the tier
	 * @param cost the permits to take
	 * @param dryRun whether only to ask, charging nothing (for charge-on-failure tiers)
	 * @return the decision
	 * @throws IllegalArgumentException for an unknown tier
	 */
	public Decision check(String tierName, String plan, String key, long cost, boolean dryRun) {
		Tier tier = this.tiers.get(tierName);
		if (tier == null) {
			throw new IllegalArgumentException("Unknown rate-limit tier '" + tierName + "'");
		}
		Quota quota = tier.quota(plan);
		if (quota == null) {
			return Decision.unlimited(null, Decision.Source.EXEMPT);
		}
		Decision decision;
		int outcome;
		if (this.remote == null) {
			decision = timed(this.localLatency, this.local, quota, key, cost, dryRun);
			outcome = outcome(decision);
		}
		else {
			try {
				decision = timed(this.remoteLatency, this.remote, quota, key, cost, dryRun);
				outcome = outcome(decision);
			}
			catch (RuntimeException ex) {
				decision = onFailure(tier, quota, key, cost, dryRun);
				outcome = (decision.source() == Decision.Source.POLICY) ? Outcomes.ERROR : outcome(decision);
			}
		}
		if (!dryRun) {
			record(quota, outcome);
			if (!decision.allowed()) {
				for (RateLimitListener listener : this.listeners) {
					listener.rejected(decision, key);
				}
			}
		}
		return decision;
	}

	/**
	 * Give back what an admitting check charged, when the charge turns out not to be due
	 * (a {@code charge-on-status} tier whose response had another status). The refund goes
	 * to whoever decided: Redis, or this instance's local limiter; a decision that charged
	 * nothing (policy, exempt, rejected) has nothing to give back. When Redis cannot take
	 * the refund, the permit stays spent: erring towards the limit, never past it.
	 * @param decision the admitting decision
	 * @param key the caller's identity within the tier, as checked
	 * @param cost the permits the check took
	 * @return whether permits were given back
	 */
	public boolean refund(Decision decision, String key, long cost) {
		if (!decision.allowed() || decision.quota() == null) {
			return false;
		}
		RateLimitBackend backend = switch (decision.source()) {
			case REDIS -> this.remote;
			case LOCAL, FALLBACK -> this.local;
			case POLICY, EXEMPT -> null;
		};
		if (backend == null) {
			return false;
		}
		try {
			backend.refund(decision.quota(), key, cost, decision.timeMillis());
			return true;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * Take permits for an outbound call, waiting up to a bound for them: for staying
	 * within an external API's quota. Waits only when the wait the limiter reports fits in
	 * what is left of the bound, so a hopeless call fails at once.
	 * @param tier the tier's name
	 * @param key the quota's identity, such as {@code github}
	 * @param cost the permits to take
	 * @param maxWait the longest time to wait in total
	 * @return the admitting decision
	 * @throws RateLimitExceededException when no permit came within the bound
	 */
	public Decision acquire(String tier, String key, long cost, Duration maxWait) {
		long deadline = System.nanoTime() + maxWait.toNanos();
		while (true) {
			Decision decision = check(tier, null, key, cost);
			if (decision.allowed()) {
				return decision;
			}
			long waitNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, decision.retryAfterMillis()));
			if (System.nanoTime() + waitNanos > deadline) {
				throw new RateLimitExceededException(decision);
			}
			try {
				// Waiting is this method's contract (an outbound client holding back for its
				// quota): sleep exactly until the backend says a permit frees, bounded above.
				TimeUnit.NANOSECONDS.sleep(waitNanos);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new RateLimitExceededException(decision);
			}
		}
	}

	/**
	 * Return an immutable view of the tiers, backend and totals.
	 * @return the snapshot
	 */
	public RateLimitSnapshot snapshot() {
		List<RateLimitSnapshot.TierView> views = new ArrayList<>();
		for (Tier tier : new TreeMap<>(this.tiers).values()) {
			Map<String, List<String>> plans = new TreeMap<>();
			tier.plans().forEach((plan, limits) -> plans.put(plan, texts(limits)));
			views.add(new RateLimitSnapshot.TierView(tier.name(), tier.algorithm(), tier.failurePolicy(),
					texts(tier.limits()), plans, total(tier.name(), Outcomes.ALLOWED),
					total(tier.name(), Outcomes.REJECTED), total(tier.name(), Outcomes.ERROR)));
		}
		String breaker = (this.remote instanceof RedisRateLimiter redis)
				? redis.connector().breaker().state().name().toLowerCase(Locale.ROOT) : null;
		return new RateLimitSnapshot((this.remote != null) ? "redis" : "local", breaker, this.local.size(), views);
	}

	private Decision onFailure(Tier tier, Quota quota, String key, long cost, boolean dryRun) {
		return switch (tier.failurePolicy()) {
			case ALLOW -> Decision.unlimited(quota, Decision.Source.POLICY);
			case DENY -> Decision.denied(quota, 1000);
			case LOCAL -> {
				if (!dryRun) {
					this.fallbacks.computeIfAbsent(tier.name(),
							(name) -> Counter.builder("perfkit.ratelimit.fallbacks").tag("tier", name)
								.description("Checks decided locally because Redis could not answer")
								.register(this.registry))
						.increment();
				}
				yield timed(this.localLatency, this.fallback, quota, key, cost, dryRun);
			}
		};
	}

	private static Decision timed(Timer timer, RateLimitBackend backend, Quota quota, String key, long cost,
			boolean dryRun) {
		long start = System.nanoTime();
		try {
			return backend.check(quota, key, cost, dryRun);
		}
		finally {
			timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
		}
	}

	private static int outcome(Decision decision) {
		return decision.allowed() ? Outcomes.ALLOWED : Outcomes.REJECTED;
	}

	private void record(Quota quota, int outcome) {
		Outcomes meters = this.outcomes.get(quota);
		if (meters == null) {
			meters = this.outcomes.computeIfAbsent(quota, this::outcomes);
		}
		Counter counter = meters.counters[outcome];
		if (counter == null) {
			// Registered on the outcome's first occurrence, as before; a racing second
			// registration returns the same counter.
			String plan = (quota.plan() != null) ? quota.plan() : DEFAULT_PLAN;
			counter = Counter.builder("perfkit.ratelimit.requests").tag("tier", quota.tier()).tag("plan", plan)
				.tag("outcome", Outcomes.NAMES[outcome]).description("Rate-limited requests by outcome")
				.register(this.registry);
			meters.counters[outcome] = counter;
		}
		counter.increment();
		meters.totals[outcome].increment();
	}

	private Outcomes outcomes(Quota quota) {
		return new Outcomes(new Counter[Outcomes.NAMES.length], this.totals.computeIfAbsent(quota.tier(), (tier) -> {
			LongAdder[] adders = new LongAdder[Outcomes.NAMES.length];
			for (int i = 0; i < adders.length; i++) {
				adders[i] = new LongAdder();
			}
			return adders;
		}));
	}

	private long total(String tier, int outcome) {
		LongAdder[] total = this.totals.get(tier);
		return (total != null) ? total[outcome].sum() : 0;
	}

	private static List<String> texts(List<Limit> limits) {
		return limits.stream().map(Limit::toString).toList();
	}

	/**
	 * A quota's request counters and its tier's totals, by outcome, made on its first
	 * check so that later checks allocate nothing to count.
	 */
	private record Outcomes(Counter[] counters, LongAdder[] totals) {

		static final int ALLOWED = 0;

		static final int REJECTED = 1;

		static final int ERROR = 2;

		static final String[] NAMES = { "allowed", "rejected", "error" };

	}

}
