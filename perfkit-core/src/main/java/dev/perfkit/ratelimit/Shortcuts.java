package dev.perfkit.ratelimit;

import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

/**
 * One quota's "over limit until T" memory on this instance: after Redis rejects a key,
 * further checks of that key with at least the same cost are rejected here, without a
 * Redis call, until T, with the figures Redis gave, aged by the time since.
 * <p>
 * <b>Implementation note.</b> T is the local monotonic time at which the rejected call
 * was <em>sent</em> plus the retry-after Redis reported, less one millisecond. Redis
 * decided after the call was sent, on its clock's whole millisecond (which may have begun
 * up to 1 ms before the call was sent), so T is never later than the first moment Redis
 * itself would admit that cost:
 * the shortcut can never admit (it only rejects), and it rejects nothing Redis would have
 * admitted, with one exception: permits given back early (a {@code charge-on-status}
 * refund) on another instance, which this instance cannot see, until T at the latest. A
 * refund on this instance forgets the key. Only a check of at least the remembered cost is
 * short-cut: a smaller one may fit sooner. Entries expire at T (Caffeine's variable expiry
 * on {@code System.nanoTime}), and at most {@code maximumKeys} are kept per quota, so an
 * attacker rotating keys costs bounded memory; an evicted key simply asks Redis again.
 * Concurrent checks that all miss the memory do not each ask Redis: {@link Flights} lets
 * one call per key fly at a time while the key may be limited, and the others wait for its
 * answer and take the rejection from here; from then on none ask until T.
 */
final class Shortcuts {

	private final Cache<String, Rejection> keys;

	Shortcuts(Quota quota, long maximumKeys) {
		this.keys = Caffeine.newBuilder()
			.executor(Runnable::run)
			.maximumSize(maximumKeys)
			.expireAfter(new Expiry<String, Rejection>() {
				@Override
				public long expireAfterCreate(String key, Rejection value, long currentTime) {
					return Math.max(0, value.untilNanos - currentTime);
				}

				@Override
				public long expireAfterUpdate(String key, Rejection value, long currentTime, long currentDuration) {
					return Math.max(0, value.untilNanos - currentTime);
				}

				@Override
				public long expireAfterRead(String key, Rejection value, long currentTime, long currentDuration) {
					return currentDuration;
				}
			})
			.build();
	}

	/**
	 * Return this instance's rejection of a check, or {@code null} to ask Redis.
	 * @param key the caller's key
	 * @param cost the check's cost
	 * @return the rejection, aged to now, or {@code null}
	 */
	Decision rejection(String key, long cost) {
		Rejection known = this.keys.getIfPresent(key);
		if (known == null || cost < known.cost) {
			return null;
		}
		long now = System.nanoTime();
		if (now - known.untilNanos >= 0) {
			return null;
		}
		Decision redis = known.decision;
		long elapsed = TimeUnit.NANOSECONDS.toMillis(now - known.sentNanos);
		long retry = Math.max(1, TimeUnit.NANOSECONDS.toMillis(known.untilNanos - now));
		return new Decision(false, redis.quota(), redis.limit(), redis.remaining(),
				Math.max(0, redis.resetMillis() - elapsed), retry, redis.timeMillis() + elapsed,
				Decision.Source.SHORTCUT);
	}

	/**
	 * Remember a rejection by Redis.
	 * @param key the caller's key
	 * @param cost the rejected cost
	 * @param decision Redis's rejection
	 * @param sentNanos {@code System.nanoTime()} when the call was sent
	 */
	void remember(String key, long cost, Decision decision, long sentNanos) {
		if (decision.retryAfterMillis() <= 0 || decision.limit() == null) {
			return;
		}
		// Redis decided on its clock's whole millisecond, which may have begun up to 1 ms
		// before the call was sent: one millisecond less keeps T at or before Redis's own.
		long until = sentNanos + TimeUnit.MILLISECONDS.toNanos(decision.retryAfterMillis() - 1);
		this.keys.asMap().merge(key, new Rejection(decision, cost, sentNanos, until),
				(old, fresh) -> (fresh.untilNanos - old.untilNanos > 0 || fresh.cost < old.cost) ? fresh : old);
	}

	void forget(String key) {
		this.keys.invalidate(key);
	}

	private record Rejection(Decision decision, long cost, long sentNanos, long untilNanos) {
	}

}
