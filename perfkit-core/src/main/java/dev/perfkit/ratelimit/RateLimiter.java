package dev.perfkit.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
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
 * connector's timeout and breaker make that attempt fail at once during an outage.
 * <p>
 * Each tier's quotas and their request counts are resolved when the limiter is built, so
 * a check does one lookup, adds to one counter and allocates no tags; local checks, which
 * take tens of nanoseconds, are timed by sampling (see {@link #LOCAL_TIMING_SAMPLE}).
 * <p>
 * A key that Redis rejected is then rejected by this instance alone, without a Redis
 * call, until the time Redis gave for its next permit ({@link Shortcuts}), and concurrent
 * checks of a key that may be limited wait for the one call in flight instead of each
 * sending their own ({@link Flights}): a flood on a limited key costs Redis one call per
 * instance per retry interval instead of one per request, even when another instance
 * exhausted it. Both only ever reject, so they cannot admit anything Redis would not.
 */
public final class RateLimiter {

	/** The plan tag of a quota that is the tier's own, not a plan's. */
	public static final String DEFAULT_PLAN = "default";

	/** How many rejected keys per quota the shortcut remembers by default. */
	public static final long DEFAULT_SHORTCUT_KEYS = 10_000;

	/** One local check in this many is timed (a power of two). */
	static final int LOCAL_TIMING_SAMPLE = 64;

	private final RateLimitBackend remote;

	private final LocalRateLimiter local;

	private final LocalRateLimiter fallback;

	private final MeterRegistry registry;

	private final List<RateLimitListener> listeners = new CopyOnWriteArrayList<>();

	/** Each tier's quotas with their meters, by tier name, built once. */
	private final Map<String, TierMeters> meters;

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
		this(tiers, remote, local, registry, (remote != null) ? DEFAULT_SHORTCUT_KEYS : 0);
	}

	/**
	 * Create a limiter, choosing how many rejected keys per quota it remembers.
	 * @param tiers the tiers by name
	 * @param remote the Redis backend, or {@code null} to decide locally
	 * @param local the local backend, also the fallback
	 * @param registry where to record meters, or {@code null} for none
	 * @param shortcutKeys how many keys Redis rejected to remember per quota and reject
	 * without a Redis call until they could pass; 0 for none (every check asks Redis)
	 */
	public RateLimiter(Map<String, Tier> tiers, RateLimitBackend remote, LocalRateLimiter local,
			MeterRegistry registry, long shortcutKeys) {
		Map<String, TierMeters> meters = new HashMap<>();
		long remembered = (remote != null) ? shortcutKeys : 0;
		tiers.forEach((name, tier) -> meters.put(name, new TierMeters(tier, remembered)));
		this.meters = Map.copyOf(meters);
		this.remote = remote;
		this.local = local;
		this.fallback = local.as(Decision.Source.FALLBACK);
		this.registry = (registry != null) ? registry : new SimpleMeterRegistry();
		this.remoteLatency = Timer.builder("perfkit.ratelimit.backend.latency").tag("backend", "redis")
			.description("Time to decide one check").register(this.registry);
		this.localLatency = Timer.builder("perfkit.ratelimit.backend.latency").tag("backend", "local")
			.description("Time to decide one check (sampled: one local check in " + LOCAL_TIMING_SAMPLE + ")")
			.register(this.registry);
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
		TierMeters tierMeters = this.meters.get(name);
		return (tierMeters != null) ? tierMeters.tier : null;
	}

	/**
	 * Check and charge one request.
	 * @param tier the tier's name
	 * @param plan the caller's plan, may be {@code null}
	 * @param key the caller's identity within the tier
	 * @param cost the permits to take
	 * @return the decision
	 * @throws IllegalArgumentException for an unknown tier or a cost below 1
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
		TierMeters tierMeters = this.meters.get(tierName);
		if (tierMeters == null) {
			throw new IllegalArgumentException("Unknown rate-limit tier '" + tierName + "'");
		}
		requirePositive(cost);
		Tier tier = tierMeters.tier;
		Outcomes quotaMeters = tierMeters.outcomes(plan);
		Quota quota = quotaMeters.quota;
		Decision decision;
		int outcome;
		if (this.remote == null) {
			decision = local(this.local, quota, key, cost, dryRun);
			outcome = outcome(decision);
		}
		else {
			try {
				decision = remote(quotaMeters, quota, key, cost, dryRun);
				outcome = outcome(decision);
			}
			catch (RuntimeException ex) {
				decision = onFailure(tier, quota, key, cost, dryRun);
				outcome = (decision.source() == Decision.Source.POLICY) ? Outcomes.ERROR : outcome(decision);
			}
		}
		if (!dryRun) {
			settled(quotaMeters, outcome, decision, key);
		}
		return decision;
	}

	/**
	 * Check and charge one request like {@link #check(String, String, String, long)},
	 * without blocking the calling thread: for reactive callers on an event loop. A key the
	 * shortcut knows, and every local decision (in memory), completes at once; a Redis check
	 * completes when Redis answers, or with the tier's failure policy when it cannot (the
	 * connector's timeout and breaker bound the wait).
	 * @param tierName the tier's name
	 * @param plan the caller's plan, may be {@code null}
	 * @param key the caller's identity within the tier
	 * @param cost the permits to take
	 * @return the decision; never completes exceptionally for an unavailable Redis
	 * @throws IllegalArgumentException for an unknown tier or a cost below 1
	 */
	public CompletableFuture<Decision> checkAsync(String tierName, String plan, String key, long cost) {
		TierMeters tierMeters = this.meters.get(tierName);
		if (tierMeters == null) {
			throw new IllegalArgumentException("Unknown rate-limit tier '" + tierName + "'");
		}
		requirePositive(cost);
		if (this.remote == null) {
			return CompletableFuture.completedFuture(check(tierName, plan, key, cost, false));
		}
		Outcomes quotaMeters = tierMeters.outcomes(plan);
		Shortcuts shortcuts = quotaMeters.shortcuts;
		Decision known = (shortcuts != null) ? shortcuts.rejection(key, cost) : null;
		if (known != null) {
			settled(quotaMeters, Outcomes.REJECTED, known, key);
			return CompletableFuture.completedFuture(known);
		}
		Flights.Key flight = (quotaMeters.flights != null) ? quotaMeters.flights.key(key) : null;
		Flights.Departure departure = (flight != null) ? flight.depart(cost) : null;
		if (departure != null && !departure.leads()) {
			// Nothing blocks: the rest runs when the leading call lands.
			return departure.flight().thenCompose((answer) -> {
				Decision rejected = shortcuts.rejection(key, cost);
				if (rejected != null) {
					settled(quotaMeters, Outcomes.REJECTED, rejected, key);
					return CompletableFuture.completedFuture(rejected);
				}
				return remoteAsync(tierMeters, quotaMeters, key, cost, flight, null);
			});
		}
		if (departure != null) {
			// A rejection may have landed since the shortcut was asked.
			Decision rejected = shortcuts.rejection(key, cost);
			if (rejected != null) {
				flight.landed(departure, rejected);
				settled(quotaMeters, Outcomes.REJECTED, rejected, key);
				return CompletableFuture.completedFuture(rejected);
			}
		}
		return remoteAsync(tierMeters, quotaMeters, key, cost, flight, departure);
	}

	/** One Redis call of the non-blocking check; it lands on its key's flight when coalescing is on. */
	private CompletableFuture<Decision> remoteAsync(TierMeters tierMeters, Outcomes quotaMeters, String key,
			long cost, Flights.Key flight, Flights.Departure departure) {
		Quota quota = quotaMeters.quota;
		Shortcuts shortcuts = quotaMeters.shortcuts;
		long sent = System.nanoTime();
		CompletableFuture<Decision> reply;
		try {
			reply = this.remote.checkAsync(quota, key, cost, false);
		}
		catch (RuntimeException ex) {
			reply = CompletableFuture.failedFuture(ex);
		}
		return reply.handle((answer, failure) -> {
			this.remoteLatency.record(System.nanoTime() - sent, TimeUnit.NANOSECONDS);
			if (failure == null && !answer.allowed() && shortcuts != null) {
				shortcuts.remember(key, cost, answer, sent);
			}
			// Land first: checks waiting on this call must never wait on what follows.
			if (flight != null) {
				flight.landed(departure, (failure == null) ? answer : null);
			}
			Decision decision;
			int outcome;
			if (failure == null) {
				decision = answer;
				outcome = outcome(decision);
			}
			else {
				decision = onFailure(tierMeters.tier, quota, key, cost, false);
				outcome = (decision.source() == Decision.Source.POLICY) ? Outcomes.ERROR : outcome(decision);
			}
			settled(quotaMeters, outcome, decision, key);
			return decision;
		});
	}

	private void settled(Outcomes quotaMeters, int outcome, Decision decision, String key) {
		record(quotaMeters, outcome);
		if (!decision.allowed()) {
			for (RateLimitListener listener : this.listeners) {
				listener.rejected(decision, key);
			}
		}
	}

	/**
	 * Decide on Redis unless this instance already knows the answer: a key that Redis
	 * rejected is rejected here, without a Redis call, until the time Redis said a permit
	 * could free up (see {@link Shortcuts}), and a check of a key whose call is in flight
	 * waits for that call's answer before it sends its own (see {@link Flights}).
	 */
	private Decision remote(Outcomes quotaMeters, Quota quota, String key, long cost, boolean dryRun) {
		Shortcuts shortcuts = quotaMeters.shortcuts;
		if (shortcuts != null) {
			Decision known = shortcuts.rejection(key, cost);
			if (known != null) {
				return known;
			}
		}
		Flights.Key flight = (dryRun || quotaMeters.flights == null) ? null : quotaMeters.flights.key(key);
		Flights.Departure departure = (flight != null) ? flight.depart(cost) : null;
		if (departure != null) {
			if (!departure.leads()) {
				// Bounded: the leading call lands within the connector's command timeout.
				departure.flight().join();
				departure = null;
			}
			// A rejection may have landed since the shortcut was asked.
			Decision known = shortcuts.rejection(key, cost);
			if (known != null) {
				flight.landed(departure, known);
				return known;
			}
		}
		long sent = System.nanoTime();
		Decision decision = null;
		try {
			decision = timed(this.remoteLatency, this.remote, quota, key, cost, dryRun);
			if (!decision.allowed() && shortcuts != null) {
				shortcuts.remember(key, cost, decision, sent);
			}
			return decision;
		}
		finally {
			if (flight != null) {
				flight.landed(departure, decision);
			}
		}
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
		requirePositive(cost);
		if (!decision.allowed() || decision.quota() == null) {
			return false;
		}
		RateLimitBackend backend = switch (decision.source()) {
			case REDIS -> this.remote;
			case LOCAL, FALLBACK -> this.local;
			case POLICY, EXEMPT, SHORTCUT -> null;
		};
		if (backend == null) {
			return false;
		}
		try {
			backend.refund(decision.quota(), key, cost, decision.timeMillis());
			forgetShortcut(decision, key);
			return true;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * Give back what an admitting check charged like {@link #refund}, without blocking the
	 * calling thread.
	 * @param decision the admitting decision
	 * @param key the caller's identity within the tier, as checked
	 * @param cost the permits the check took
	 * @return whether permits were given back; never completes exceptionally
	 */
	public CompletableFuture<Boolean> refundAsync(Decision decision, String key, long cost) {
		requirePositive(cost);
		if (!decision.allowed() || decision.quota() == null) {
			return CompletableFuture.completedFuture(false);
		}
		RateLimitBackend backend = switch (decision.source()) {
			case REDIS -> this.remote;
			case LOCAL, FALLBACK -> this.local;
			case POLICY, EXEMPT, SHORTCUT -> null;
		};
		if (backend == null) {
			return CompletableFuture.completedFuture(false);
		}
		CompletableFuture<Void> done;
		try {
			done = backend.refundAsync(decision.quota(), key, cost, decision.timeMillis());
		}
		catch (RuntimeException ex) {
			done = CompletableFuture.failedFuture(ex);
		}
		return done.handle((ignored, failure) -> {
			if (failure != null) {
				return false;
			}
			forgetShortcut(decision, key);
			return true;
		});
	}

	private void forgetShortcut(Decision decision, String key) {
		TierMeters tierMeters = this.meters.get(decision.quota().tier());
		Outcomes outcomes = (tierMeters != null) ? tierMeters.outcomes(decision.quota().plan()) : null;
		if (outcomes != null && outcomes.shortcuts != null) {
			// A permit came back: what this instance knew of the key is out of date.
			outcomes.shortcuts.forget(key);
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
		requirePositive(cost);
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
		for (TierMeters tierMeters : new TreeMap<>(this.meters).values()) {
			Tier tier = tierMeters.tier;
			Map<String, List<String>> plans = new TreeMap<>();
			tier.plans().forEach((plan, limits) -> plans.put(plan, texts(limits)));
			views.add(new RateLimitSnapshot.TierView(tier.name(), tier.algorithm(), tier.failurePolicy(),
					texts(tier.limits()), plans, tierMeters.total(Outcomes.ALLOWED),
					tierMeters.total(Outcomes.REJECTED), tierMeters.total(Outcomes.ERROR)));
		}
		RedisRateLimiter redis = (this.remote instanceof LeasingRateLimiter leasing) ? leasing.redis()
				: (this.remote instanceof RedisRateLimiter plain) ? plain : null;
		String breaker = (redis != null) ? redis.connector().callState().name().toLowerCase(Locale.ROOT) : null;
		return new RateLimitSnapshot((this.remote != null) ? "redis" : "local", breaker, this.local.size(), views);
	}

	/** A cost below one would give permits instead of taking them. */
	private static void requirePositive(long cost) {
		if (cost < 1) {
			throw new IllegalArgumentException("A rate-limit cost must be at least 1, was " + cost);
		}
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
				yield local(this.fallback, quota, key, cost, dryRun);
			}
		};
	}

	/**
	 * Decide locally, timing one check in {@link #LOCAL_TIMING_SAMPLE}: a local check takes
	 * tens of nanoseconds, and two clock reads and a timer record on every one would more
	 * than double that. The sampled timer's mean and percentiles stand for every local
	 * check; its count is a sample (checks are counted by {@code perfkit.ratelimit.requests}).
	 */
	private Decision local(LocalRateLimiter backend, Quota quota, String key, long cost, boolean dryRun) {
		if ((ThreadLocalRandom.current().nextInt() & (LOCAL_TIMING_SAMPLE - 1)) != 0) {
			return backend.check(quota, key, cost, dryRun);
		}
		return timed(this.localLatency, backend, quota, key, cost, dryRun);
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

	private void record(Outcomes meters, int outcome) {
		LongAdder count = meters.counts[outcome];
		count.increment();
		if (!meters.registered[outcome]) {
			// Registered on the outcome's first occurrence, so that a scrape shows only
			// outcomes that happened; a racing second registration finds the first.
			Quota quota = meters.quota;
			String plan = (quota.plan() != null) ? quota.plan() : DEFAULT_PLAN;
			FunctionCounter.builder("perfkit.ratelimit.requests", count, LongAdder::sum)
				.tag("tier", quota.tier())
				.tag("plan", plan)
				.tag("outcome", Outcomes.NAMES[outcome])
				.description("Rate-limited requests by outcome")
				.register(this.registry);
			meters.registered[outcome] = true;
		}
	}

	private static List<String> texts(List<Limit> limits) {
		return limits.stream().map(Limit::toString).toList();
	}

	/**
	 * A tier's quotas, each with its request counts, built with the limiter so that a
	 * check finds its quota and counts in one lookup and allocates nothing to count.
	 */
	private static final class TierMeters {

		final Tier tier;

		private final Outcomes tierOutcomes;

		private final Map<String, Outcomes> planOutcomes = new HashMap<>();

		TierMeters(Tier tier, long shortcutKeys) {
			this.tier = tier;
			// The tier's own limits are used only when it has no default plan.
			this.tierOutcomes = (tier.defaultPlan() == null) ? new Outcomes(tier.quota(null), shortcutKeys) : null;
			for (String plan : tier.plans().keySet()) {
				this.planOutcomes.put(plan, new Outcomes(tier.quota(plan), shortcutKeys));
			}
		}

		/** Return the counts of the quota for a plan, as {@link Tier#quota} picks it. */
		Outcomes outcomes(String plan) {
			Outcomes outcomes = (plan != null) ? this.planOutcomes.get(plan) : null;
			if (outcomes != null) {
				return outcomes;
			}
			return (this.tier.defaultPlan() != null) ? this.planOutcomes.get(this.tier.defaultPlan())
					: this.tierOutcomes;
		}

		/** Return the tier's count of an outcome, over all its quotas. */
		long total(int outcome) {
			long total = (this.tierOutcomes != null) ? this.tierOutcomes.counts[outcome].sum() : 0;
			for (Outcomes outcomes : this.planOutcomes.values()) {
				total += outcomes.counts[outcome].sum();
			}
			return total;
		}

	}

	/**
	 * A quota's request counts by outcome: the {@code perfkit.ratelimit.requests} meters
	 * read them (a function counter each, registered on the outcome's first occurrence), so
	 * a check adds to one counter only.
	 */
	private static final class Outcomes {

		static final int ALLOWED = 0;

		static final int REJECTED = 1;

		static final int ERROR = 2;

		static final String[] NAMES = { "allowed", "rejected", "error" };

		final Quota quota;

		final LongAdder[] counts = new LongAdder[NAMES.length];

		final boolean[] registered = new boolean[NAMES.length];

		/** Keys Redis rejected, or {@code null} when the shortcut is off. */
		final Shortcuts shortcuts;

		/** Calls in flight per key, or {@code null} when the shortcut is off (waiting needs it). */
		final Flights flights;

		Outcomes(Quota quota, long shortcutKeys) {
			this.quota = quota;
			this.shortcuts = (shortcutKeys > 0) ? new Shortcuts(quota, shortcutKeys) : null;
			this.flights = (shortcutKeys > 0) ? new Flights(shortcutKeys) : null;
			for (int i = 0; i < this.counts.length; i++) {
				this.counts[i] = new LongAdder();
			}
		}

	}

}
