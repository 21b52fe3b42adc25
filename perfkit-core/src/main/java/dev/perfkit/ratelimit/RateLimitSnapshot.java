package dev.perfkit.ratelimit;

import java.util.List;
import java.util.Map;

/**
 * An immutable view of the rate limiter for the actuator: the effective limits per tier
 * and plan, the backend and its breaker, and running totals.
 *
 * @param backend {@code redis} or {@code local}
 * @param breakerState the Redis breaker's state, or {@code null} without Redis
 * @param localKeys keys held by the local limiter
 * @param tiers the tiers
 */
public record RateLimitSnapshot(String backend, String breakerState, long localKeys, List<TierView> tiers) {

	/**
	 * Create a snapshot, copying the tiers.
	 * @param backend the backend
	 * @param breakerState the breaker's state or {@code null}
	 * @param localKeys keys held locally
	 * @param tiers the tiers
	 */
	public RateLimitSnapshot {
		tiers = List.copyOf(tiers);
	}

	/**
	 * One tier's effective configuration and totals.
	 *
	 * @param name the tier
	 * @param algorithm the algorithm
	 * @param failurePolicy the failure policy
	 * @param limits the default limits, such as {@code 5/1m}
	 * @param plans limits per plan
	 * @param allowed requests admitted so far
	 * @param rejected requests rejected so far
	 * @param errors requests decided by the failure policy so far
	 */
	public record TierView(String name, Algorithm algorithm, FailurePolicy failurePolicy, List<String> limits,
			Map<String, List<String>> plans, long allowed, long rejected, long errors) {

		/**
		 * Create a view, copying the collections.
		 * @param name the tier
		 * @param algorithm the algorithm
		 * @param failurePolicy the failure policy
		 * @param limits the default limits
		 * @param plans limits per plan
		 * @param allowed admitted so far
		 * @param rejected rejected so far
		 * @param errors decided by the failure policy so far
		 */
		public TierView {
			limits = List.copyOf(limits);
			plans = Map.copyOf(plans);
		}

	}

}
