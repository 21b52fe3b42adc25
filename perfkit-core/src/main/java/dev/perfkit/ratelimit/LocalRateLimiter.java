package dev.perfkit.ratelimit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.local.LocalBucketBuilder;

/**
 * The in-memory backend: bucket4j buckets (token-bucket tiers), exact sliding logs
 * (sliding-log tiers) and sliding-window counters (sliding-window tiers) per key, in bounded Caffeine caches, one per quota.
 * <p>
 * <b>Implementation note.</b> Each key's state is created once by Caffeine's atomic
 * {@code get}; concurrent checks of one key then serialize on that state (bucket4j's
 * lock-free CAS, or the log's monitor), so no two checks can both take the last permit.
 * A quota's cache is made once (on its first check) with everything the hot path needs:
 * the caller's key string is the cache key as it is (no composite key to allocate) and the
 * state factory is built once (no capturing lambda per call), so a check is one map read
 * for the quota, one Caffeine {@code get} and one bucket operation. Each quota's cache is
 * bounded by size alone (W-TinyLFU), without idle expiry: expiry would read the clock and
 * reorder an access queue on every check, and a key idle for longer than its window holds
 * nothing that matters, so keeping it until size pressure evicts it changes no decision.
 * The caches are bounded by weight rather than count: a token bucket weighs 1 and a
 * sliding log {@code 1 + capacity/8}, its largest possible array, so {@code maximumKeys}
 * token buckets fit in as much memory as fewer, heavier logs (logs also shrink their array
 * once a burst has expired). Under a flood of distinct keys the least valuable are evicted, which at worst hands an
 * evicted key a fresh (full) limit — the price of bounded memory, and why a shared Redis
 * backend is the default for several instances. Memory is bounded by the maximum keys
 * times the number of configured quotas (tiers and plans), both fixed at startup. Time is
 * whole milliseconds so that figures match the Redis script exactly. Token buckets read
 * the {@link CoarseClock}, since reading the system clock costs about as much as a
 * bucket's arithmetic; sliding logs, which promise exactness, read the system clock.
 */
public final class LocalRateLimiter implements RateLimitBackend {

	private final Map<Quota, QuotaStates> states;

	private final long maximumKeys;

	/** The sliding logs' clock; the buckets read theirs through {@link #timeMeter}. */
	private final LongSupplier clock;

	private final MillisecondMeter timeMeter;

	private final Decision.Source source;

	/**
	 * Create a limiter on the wall clock: token buckets read a {@link CoarseClock coarse
	 * millisecond clock}, sliding logs the system clock.
	 * @param maximumKeys how many keys to keep at most, per quota
	 */
	public LocalRateLimiter(long maximumKeys) {
		this(maximumKeys, CoarseClock.INSTANCE, System::currentTimeMillis, Decision.Source.LOCAL);
	}

	/**
	 * Create a limiter on a given clock (tests drive it by hand).
	 * @param maximumKeys how many keys to keep at most, per quota
	 * @param clockMillis the clock, epoch milliseconds
	 * @param source how its decisions are labelled
	 */
	public LocalRateLimiter(long maximumKeys, LongSupplier clockMillis, Decision.Source source) {
		this(maximumKeys, clockMillis, clockMillis, source);
	}

	private LocalRateLimiter(long maximumKeys, LongSupplier bucketClock, LongSupplier logClock,
			Decision.Source source) {
		this.maximumKeys = maximumKeys;
		this.clock = logClock;
		this.source = source;
		this.timeMeter = new MillisecondMeter(bucketClock);
		this.states = new ConcurrentHashMap<>();
	}

	/**
	 * Return a limiter sharing this one's state whose decisions carry another source.
	 * @param source the source
	 * @return the view
	 */
	LocalRateLimiter as(Decision.Source source) {
		return new LocalRateLimiter(this, source);
	}

	private LocalRateLimiter(LocalRateLimiter shared, Decision.Source source) {
		this.states = shared.states;
		this.maximumKeys = shared.maximumKeys;
		this.clock = shared.clock;
		this.timeMeter = shared.timeMeter;
		this.source = source;
	}

	@Override
	public Decision check(Quota quota, String key, long cost, boolean dryRun) {
		QuotaStates quotaStates = (quota.localStates instanceof QuotaStates remembered
				&& remembered.owner == this.states) ? remembered : states(quota);
		Object state = quotaStates.keys.get(key, quotaStates.create);
		if (state instanceof SlidingLog log) {
			return log.check(quota, cost, dryRun, this.clock.getAsLong(), this.source);
		}
		if (state instanceof SlidingWindow window) {
			return window.check(quota, cost, dryRun, this.clock.getAsLong(), this.source);
		}
		return check((Bucket) state, quota, cost, dryRun);
	}

	private QuotaStates states(Quota quota) {
		QuotaStates quotaStates = this.states.get(quota);
		if (quotaStates == null) {
			quotaStates = this.states.computeIfAbsent(quota, QuotaStates::new);
		}
		// Last writer wins: a quota checked by two limiters falls back to the map lookup.
		quota.localStates = quotaStates;
		return quotaStates;
	}

	/**
	 * Give back permits that a check took, for a charge that turned out not to be due.
	 * A bucket gets the tokens back (never beyond its capacity); a log loses entries made
	 * at the charge's time, so the request is forgotten as if it had never been counted.
	 * @param quota the quota that was checked
	 * @param key the caller's identity within the tier
	 * @param cost the permits to give back
	 * @param chargedAtMillis the charging decision's time
	 */
	@Override
	public void refund(Quota quota, String key, long cost, long chargedAtMillis) {
		QuotaStates quotaStates = this.states.get(quota);
		Object state = (quotaStates != null) ? quotaStates.keys.getIfPresent(key) : null;
		if (state instanceof SlidingLog log) {
			log.refund(cost, chargedAtMillis);
		}
		else if (state instanceof SlidingWindow window) {
			window.refund(quota, cost, chargedAtMillis, this.clock.getAsLong());
		}
		else if (state instanceof Bucket bucket) {
			bucket.addTokens(cost);
		}
	}

	/**
	 * Return how many keys are held.
	 * @return the estimated count, over all quotas
	 */
	public long size() {
		long size = 0;
		for (QuotaStates quotaStates : this.states.values()) {
			size += quotaStates.keys.estimatedSize();
		}
		return size;
	}

	private Decision check(Bucket bucket, Quota quota, long cost, boolean dryRun) {
		if (!dryRun && quota.limits().size() == 1) {
			// One limit: the plain probe carries every figure, without the verbose copy of
			// the bucket's state. Its nanosecond waits are exact on a millisecond clock.
			ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(cost);
			boolean consumed = probe.isConsumed();
			return new Decision(consumed, quota, quota.limits().get(0), probe.getRemainingTokens(),
					Figures.ceilDiv(probe.getNanosToWaitForReset(), 1_000_000),
					consumed ? 0 : Figures.ceilDiv(probe.getNanosToWaitForRefill(), 1_000_000),
					this.timeMeter.millis(), this.source);
		}
		boolean allowed;
		BucketState state;
		long nanos;
		if (dryRun) {
			VerboseResult<EstimationProbe> result = bucket.asVerbose().estimateAbilityToConsume(cost);
			allowed = result.getValue().canBeConsumed();
			state = result.getState();
			nanos = result.getOperationTimeNanos();
		}
		else {
			VerboseResult<ConsumptionProbe> result = bucket.asVerbose().tryConsumeAndReturnRemaining(cost);
			allowed = result.getValue().isConsumed();
			state = result.getState();
			nanos = result.getOperationTimeNanos();
		}
		List<Limit> limits = quota.limits();
		long[] figures = new long[3 * limits.size()];
		for (int i = 0; i < limits.size(); i++) {
			Limit limit = limits.get(i);
			// bucket4j keeps size plus a remainder in period-nanos; both are whole
			// milliseconds' worth on a millisecond clock.
			long level = state.getCurrentSize(i) * limit.windowMillis() + state.getRoundingError(i) / 1_000_000;
			Figures.tokenBucket(figures, i, limit, level, cost);
		}
		return Decision.of(allowed, quota, figures, nanos / 1_000_000, this.source);
	}

	private Object newState(Quota quota) {
		if (quota.algorithm() == Algorithm.SLIDING_LOG) {
			return new SlidingLog(quota);
		}
		if (quota.algorithm() == Algorithm.SLIDING_WINDOW) {
			return new SlidingWindow(quota);
		}
		LocalBucketBuilder builder = Bucket.builder().withCustomTimePrecision(this.timeMeter);
		for (Limit limit : quota.limits()) {
			builder.addLimit(Bandwidth.builder()
				.capacity(limit.capacity())
				.refillGreedy(limit.capacity(), limit.window())
				.build());
		}
		return builder.build();
	}

	/** One quota's keys, and the factory of a new key's state, built once. */
	private final class QuotaStates {

		final Map<Quota, QuotaStates> owner = LocalRateLimiter.this.states;

		final Cache<String, Object> keys;

		final Function<String, Object> create;

		QuotaStates(Quota quota) {
			// Maintenance (draining the read buffer, eviction) runs on the calling
			// thread, amortized: handing it to the common pool woke a worker thread every few
			// reads, which cost more than the maintenance itself.
			// Bounded by weight: a token bucket weighs 1, a sliding log 1 plus its largest
			// possible array in units of 8 entries (64 bytes), computed when it is created,
			// so the bound holds however full the logs become.
			int weight = (quota.algorithm() == Algorithm.SLIDING_LOG)
					? 1 + (int) ((SlidingLog.largestCapacity(quota) + 7) / 8) : 1;
			this.keys = Caffeine.newBuilder()
				.executor(Runnable::run)
				.maximumWeight(LocalRateLimiter.this.maximumKeys)
				.weigher((String key, Object state) -> weight)
				.build();
			this.create = (ignored) -> newState(quota);
		}

	}

	/**
	 * bucket4j's clock on whole milliseconds, in the nanoseconds it expects. A decision
	 * reads the time again for its own record ({@link #millis()}): on the coarse clock that
	 * is one volatile read, it writes nothing that checks on other cores would contend for,
	 * and a tick between the two reads only moves an epoch-second reset header.
	 */
	private static final class MillisecondMeter implements TimeMeter {

		private final LongSupplier millis;

		MillisecondMeter(LongSupplier millis) {
			this.millis = millis;
		}

		long millis() {
			return this.millis.getAsLong();
		}

		@Override
		public long currentTimeNanos() {
			return this.millis.getAsLong() * 1_000_000;
		}

		@Override
		public boolean isWallClockBased() {
			return true;
		}

	}

}
