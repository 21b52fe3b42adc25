package dev.perfkit.ratelimit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A named tier: its limits, algorithm, failure policy and, optionally, limits per plan.
 * Immutable; its quotas are built once, since every check asks for one.
 */
public final class Tier {

	private final String name;

	private final List<Limit> limits;

	private final Algorithm algorithm;

	private final FailurePolicy failurePolicy;

	private final Map<String, List<Limit>> plans;

	private final Quota quota;

	private final Map<String, Quota> planQuotas = new HashMap<>();

	/**
	 * Create a tier.
	 * @param name the tier's name
	 * @param limits the limits when the caller's plan has none of its own; all are checked
	 * atomically
	 * @param algorithm how the tier counts
	 * @param failurePolicy what to do while Redis cannot answer
	 * @param plans limits per plan name, replacing {@code limits} for callers on that plan
	 */
	public Tier(String name, List<Limit> limits, Algorithm algorithm, FailurePolicy failurePolicy,
			Map<String, List<Limit>> plans) {
		this.name = Objects.requireNonNull(name, "name");
		this.limits = List.copyOf(limits);
		this.algorithm = algorithm;
		this.failurePolicy = failurePolicy;
		this.plans = Map.copyOf(plans);
		if (this.limits.isEmpty() && this.plans.isEmpty()) {
			throw new IllegalArgumentException("Tier '" + name + "' has no limits");
		}
		this.quota = this.limits.isEmpty() ? null : new Quota(name, null, algorithm, this.limits);
		this.plans.forEach((plan, planLimits) -> this.planQuotas.put(plan, new Quota(name, plan, algorithm, planLimits)));
	}

	/**
	 * Return the quota that applies to a caller on the given plan.
	 * @param plan the caller's plan, may be {@code null}
	 * @return the quota, or {@code null} when neither the plan nor the tier has limits
	 */
	public Quota quota(String plan) {
		Quota planQuota = (plan != null) ? this.planQuotas.get(plan) : null;
		return (planQuota != null) ? planQuota : this.quota;
	}

	/**
	 * Return the tier's name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Return the limits for callers whose plan has none of its own.
	 * @return the limits, possibly empty when only plans have limits
	 */
	public List<Limit> limits() {
		return this.limits;
	}

	/**
	 * Return how the tier counts.
	 * @return the algorithm
	 */
	public Algorithm algorithm() {
		return this.algorithm;
	}

	/**
	 * Return what the tier does while Redis cannot answer.
	 * @return the policy
	 */
	public FailurePolicy failurePolicy() {
		return this.failurePolicy;
	}

	/**
	 * Return the limits per plan.
	 * @return the plans
	 */
	public Map<String, List<Limit>> plans() {
		return this.plans;
	}

	@Override
	public String toString() {
		return this.name + " " + this.algorithm + " " + this.limits + " plans " + this.plans + " on failure "
				+ this.failurePolicy;
	}

}
