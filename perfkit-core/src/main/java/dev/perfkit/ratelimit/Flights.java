package dev.perfkit.ratelimit;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * One quota's Redis calls per key on this instance: concurrent checks of a key that may be
 * limited wait for the one call in flight instead of sending their own, so that a flood on
 * a key another instance exhausted costs Redis one call from this instance, not one per
 * thread.
 * <p>
 * <b>Implementation note.</b> Each key has a <em>budget</em>: the permits the latest
 * answer for it left (0 while unknown, after a rejection, or after a failed call). A check
 * that the {@link Shortcuts} cannot answer {@linkplain Key#depart departs}:
 * <ul>
 * <li>when the budget holds its cost, it takes the cost from it and calls Redis at once:
 * a key known to be healthy is not slowed down, and the path takes no lock (one
 * compare-and-set);</li>
 * <li>otherwise, when no call for the key leads, it installs its own future and
 * <em>leads</em>: it asks the shortcut once more (a rejection may have landed since it
 * last looked), then calls Redis, and its answer goes to every check waiting on it;</li>
 * <li>otherwise it <em>waits</em> for the leading call's answer. Then it asks the shortcut
 * again: when that answer was a rejection the shortcut now holds, it is rejected from
 * there with Redis's figures; otherwise (the answer admitted, or could not be had, or
 * rejected a smaller cost) it calls Redis itself, without waiting again, so no check
 * waits for more than one answer.</li>
 * </ul>
 * A waiting check is never admitted by anyone but Redis, so coalescing cannot admit more
 * than Redis would. Every call's answer sets the budget again. The leader takes its
 * future out before completing it, and always completes it (also when its call fails), so
 * a waiting check is never left behind. While a key is limited, its budget is 0 and the
 * shortcut holds it, so at most one call per key flies from this instance until the
 * shortcut's time T: the leader's.
 * <p>
 * The budget is a hint, not an account: an answer overwrites it without counting the
 * calls still in flight, so a key this instance last saw with {@code r} permits left may
 * get up to {@code r} calls (plus those in flight) before a rejection returns; it is only
 * ever a reason to call Redis, never to admit. Keys are kept in a Caffeine cache bounded
 * by {@code maximumKeys} and forgotten a second after their last check; a forgotten key
 * simply starts unknown again (one leading call).
 */
final class Flights {

	private static final Duration IDLE = Duration.ofSeconds(1);

	private final Cache<String, Key> keys;

	Flights(long maximumKeys) {
		this.keys = Caffeine.newBuilder()
			.executor(Runnable::run)
			.maximumSize(maximumKeys)
			.expireAfterAccess(IDLE)
			.build();
	}

	/**
	 * Return a key's state, creating it when unknown.
	 * @param key the caller's key
	 * @return the state
	 */
	Key key(String key) {
		return this.keys.get(key, (ignored) -> new Key());
	}

	/** Keys known, for tests. */
	long size() {
		this.keys.cleanUp();
		return this.keys.estimatedSize();
	}

	/**
	 * How a check departs: it leads (calls Redis, and its answer goes to the checks that
	 * wait on {@code flight}), or it waits on another check's {@code flight}.
	 *
	 * @param flight the leading call's future
	 * @param leads whether this check leads
	 */
	record Departure(CompletableFuture<Decision> flight, boolean leads) {
	}

	/** One key's budget and leading call. */
	static final class Key {

		/** The permits the latest answer left; 0 when unknown or limited. */
		private final AtomicLong budget = new AtomicLong();

		/** The leading call's future while one flies. */
		private final AtomicReference<CompletableFuture<Decision>> leading = new AtomicReference<>();

		/**
		 * Depart a check.
		 * @param cost the check's cost
		 * @return {@code null} to call Redis at once (the budget held the cost), else
		 * whether the check leads or waits
		 */
		Departure depart(long cost) {
			for (long budget = this.budget.get(); budget >= cost; budget = this.budget.get()) {
				if (this.budget.compareAndSet(budget, budget - cost)) {
					return null;
				}
			}
			while (true) {
				CompletableFuture<Decision> flight = this.leading.get();
				if (flight != null) {
					return new Departure(flight, false);
				}
				CompletableFuture<Decision> mine = new CompletableFuture<>();
				if (this.leading.compareAndSet(null, mine)) {
					return new Departure(mine, true);
				}
			}
		}

		/**
		 * Land a call: set the budget from its answer and, when it led, hand the answer to
		 * the checks waiting on it. Call after the shortcut has taken a rejection in.
		 * @param departure how the call departed, {@code null} when the budget held it
		 * @param answer Redis's decision, or {@code null} when the call failed
		 */
		void landed(Departure departure, Decision answer) {
			this.budget.set((answer != null && answer.allowed()) ? Math.max(0, answer.remaining()) : 0);
			if (departure != null && departure.leads()) {
				this.leading.compareAndSet(departure.flight(), null);
				departure.flight().complete(answer);
			}
		}

	}

}
