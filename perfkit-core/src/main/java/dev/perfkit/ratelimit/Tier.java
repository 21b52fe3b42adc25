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

	private final String defaultPlan;

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
	 * @throws IllegalArgumentException when the tier has only plans
	 */
	public Tier(String name, List<Limit> limits, Algorithm algorithm, FailurePolicy failurePolicy,
			Map<String, List<Limit>> plans) {
		this(name, limits, algorithm, failurePolicy, plans, null);
	}

	/**
	 * Create a tier whose callers on an unlisted plan get one of its plans. Every caller
	 * is limited: on its own plan, else on the default plan, else by the tier's limits,
	 * so a tier that has neither limits of its own nor a default plan cannot be built.
	 * @param name the tier's name
	 * @param limits the limits when the caller's plan is not listed and there is no default
	 * plan; all are checked atomically
	 * @param algorithm how the tier counts
	 * @param failurePolicy what to do while Redis cannot answer
	 * @param plans limits per plan name, replacing {@code limits} for callers on that plan
	 * @param defaultPlan the plan of callers whose plan is not listed (or who have none),
	 * one of {@code plans}, or {@code null} for the tier's own limits
	 * @throws IllegalArgumentException when a caller could go unlimited or the default plan
	 * is not listed
	 */
	public Tier(String name, List<Limit> limits, Algorithm algorithm, FailurePolicy failurePolicy,
			Map<String, List<Limit>> plans, String defaultPlan) {
		this.name = Objects.requireNonNull(name, "name");
		this.limits = List.copyOf(limits);
		this.algorithm = algorithm;
		this.failurePolicy = failurePolicy;
		this.plans = Map.copyOf(plans);
		this.defaultPlan = defaultPlan;
		if (defaultPlan != null && !this.plans.containsKey(defaultPlan)) {
			throw new IllegalArgumentException(
					"Tier '" + name + "' names default plan '" + defaultPlan + "', which it does not list");
		}
		if (this.limits.isEmpty() && defaultPlan == null) {
			throw new IllegalArgumentException(this.plans.isEmpty() ? "Tier '" + name + "' has no limits"
					: "Tier '" + name + "' has only plans: give it limits or a default plan for callers on other plans");
		}
		this.quota = this.limits.isEmpty() ? null : new Quota(name, null, algorithm, this.limits);
		this.plans.forEach((plan, planLimits) -> this.planQuotas.put(plan, new Quota(name, plan, algorithm, planLimits)));
	}

	/**
	 * Return the quota that applies to a caller on the given plan: its plan's, else the
	 * default plan's, else the tier's own. Never {@code null}: no caller goes unlimited.
	 * @param plan the caller's plan, may be {@code null}
	 * @return the quota
	 */
	public Quota quota(String plan) {
		Quota planQuota = (plan != null) ? this.planQuotas.get(plan) : null;
		if (planQuota != null) {
			return planQuota;
		}
		return (this.defaultPlan != null) ? this.planQuotas.get(this.defaultPlan) : this.quota;
	}

	/**
	 * Return the plan of callers whose plan is not listed.
	 * @return the default plan, or {@code null} for the tier's own limits
	 */
	public String defaultPlan() {
		return this.defaultPlan;
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
