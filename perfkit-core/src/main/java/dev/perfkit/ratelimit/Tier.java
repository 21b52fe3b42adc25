package dev.perfkit.ratelimit;

import java.util.List;
import java.util.Map;

/**
 * A named tier: its limits, algorithm, failure policy and, optionally, limits per plan.
 *
 * @param name the tier's name
 * @param limits the limits when the caller's plan has none of its own; all are checked
 * atomically
 * @param algorithm how the tier counts
 * @param failurePolicy what to do while Redis cannot answer
 * @param plans limits per plan name, replacing {@code limits} for callers on that plan
 */
public record Tier(String name, List<Limit> limits, Algorithm algorithm, FailurePolicy failurePolicy,
		Map<String, List<Limit>> plans) {

	/**
	 * Create a tier.
	 * @param name the tier's name
	 * @param limits the default limits
	 * @param algorithm how the tier counts
	 * @param failurePolicy what to do while Redis cannot answer
	 * @param plans limits per plan
	 */
	public Tier {
		limits = List.copyOf(limits);
		plans = Map.copyOf(plans);
		if (limits.isEmpty() && plans.isEmpty()) {
			throw new IllegalArgumentException("Tier '" + name + "' has no limits");
		}
	}

	/**
	 * Return the quota that applies to a caller on the given plan.
	 * @param plan the caller's plan, may be {@code null}
	 * @return the quota, or {@code null} when neither the plan nor the tier has limits
	 */
	public Quota quota(String plan) {
		List<Limit> planLimits = (plan != null) ? this.plans.get(plan) : null;
		if (planLimits != null) {
			return new Quota(this.name, plan, this.algorithm, planLimits);
		}
		return this.limits.isEmpty() ? null : new Quota(this.name, null, this.algorithm, this.limits);
	}

}
