package dev.perfkit.ratelimit;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.local.LocalBucketBuilder;

/**
 * The in-memory backend: bucket4j buckets (token-bucket tiers) and exact sliding logs
 * (sliding-log tiers) per key, in a bounded Caffeine cache.
 * <p>
 * <b>Implementation note.</b> Each key's state is created once by Caffeine's atomic
 * {@code get}; concurrent checks of one key then serialize on that state (bucket4j's
 * lock-free CAS, or the log's monitor), so no two checks can both take the last permit.
 * Entries expire once idle for their quota's longest window, when they are full again
 * anyway. The cache is bounded: under a flood of distinct keys the least recently used
 * are evicted, which at worst hands an evicted key a fresh (full) limit — the price of
 * bounded memory, and why a shared Redis backend is the default for several instances.
 * Time is whole milliseconds so that figures match the Redis script exactly.
 */
public final class LocalRateLimiter implements RateLimitBackend {

	private final Cache<LocalKey, KeyState> states;

	private final LongSupplier clock;

	private final MillisecondMeter timeMeter;

	private final Decision.Source source;

	/**
	 * Create a limiter on the system clock.
	 * @param maximumKeys how many keys to keep at most
	 */
	public LocalRateLimiter(long maximumKeys) {
		this(maximumKeys, System::currentTimeMillis, Decision.Source.LOCAL);
	}

	/**
	 * Create a limiter on a given clock (tests drive it by hand).
	 * @param maximumKeys how many keys to keep at most
	 * @param clockMillis the clock, epoch milliseconds
	 * @param source how its decisions are labelled
	 */
	public LocalRateLimiter(long maximumKeys, LongSupplier clockMillis, Decision.Source source) {
		this.clock = clockMillis;
		this.source = source;
		this.timeMeter = new MillisecondMeter(clockMillis);
		this.states = Caffeine.newBuilder().maximumSize(maximumKeys).expireAfter(new IdleForLongestWindow()).build();
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
		this.clock = shared.clock;
		this.timeMeter = shared.timeMeter;
		this.source = source;
	}

	@Override
	public Decision check(Quota quota, String key, long cost, boolean dryRun) {
		LocalKey localKey = new LocalKey(quota, key);
		KeyState found = this.states.getIfPresent(localKey);
		if (found == null) {
			found = this.states.get(localKey, (ignored) -> new KeyState(newState(quota), quota.longestWindowMillis()));
		}
		Object state = found.state();
		if (state instanceof SlidingLog log) {
			return log.check(quota, cost, dryRun, this.clock.getAsLong(), this.source);
		}
		return check((Bucket) state, quota, cost, dryRun);
	}

	/**
	 * Return how many keys are held.
	 * @return the estimated count
	 */
	public long size() {
		return this.states.estimatedSize();
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
					this.timeMeter.lastMillis(), this.source);
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
		LocalBucketBuilder builder = Bucket.builder().withCustomTimePrecision(this.timeMeter);
		for (Limit limit : quota.limits()) {
			builder.addLimit(Bandwidth.builder()
				.capacity(limit.capacity())
				.refillGreedy(limit.capacity(), limit.window())
				.build());
		}
		return builder.build();
	}

	/** Keeps a key while it may still hold anything: idle for its longest window at most. */
	private static final class IdleForLongestWindow implements Expiry<LocalKey, KeyState> {

		@Override
		public long expireAfterCreate(LocalKey key, KeyState value, long currentTime) {
			return TimeUnit.MILLISECONDS.toNanos(value.longestMillis());
		}

		@Override
		public long expireAfterUpdate(LocalKey key, KeyState value, long currentTime, long currentDuration) {
			return currentDuration;
		}

		@Override
		public long expireAfterRead(LocalKey key, KeyState value, long currentTime, long currentDuration) {
			return TimeUnit.MILLISECONDS.toNanos(value.longestMillis());
		}

	}

	/** A caller's key within a quota (whose equality covers tier, plan and limits). */
	private record LocalKey(Quota quota, String key) {
	}

	/** A key's bucket or log, with how long it may idle. */
	private record KeyState(Object state, long longestMillis) {
	}

	/**
	 * bucket4j's clock on whole milliseconds, in the nanoseconds it expects. It remembers
	 * the last time it read, so that a decision can carry its time without a second clock
	 * read; under concurrency that may be another thread's read of the same moment, give
	 * or take a millisecond, which only moves an epoch-second reset header.
	 */
	private static final class MillisecondMeter implements TimeMeter {

		private final LongSupplier millis;

		private long last;

		MillisecondMeter(LongSupplier millis) {
			this.millis = millis;
		}

		long lastMillis() {
			return this.last;
		}

		@Override
		public long currentTimeNanos() {
			long now = this.millis.getAsLong();
			this.last = now;
			return now * 1_000_000;
		}

		@Override
		public boolean isWallClockBased() {
			return true;
		}

	}

}
