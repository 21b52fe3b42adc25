package dev.perfkit.autoconfigure.ratelimit;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import dev.perfkit.autoconfigure.ratelimit.RateLimitProperties.TierProperties;
import dev.perfkit.ratelimit.Algorithm;
import dev.perfkit.ratelimit.FailurePolicy;
import dev.perfkit.ratelimit.LeasePolicy;
import dev.perfkit.ratelimit.Limit;
import dev.perfkit.ratelimit.Quota;
import dev.perfkit.ratelimit.RateLimit;
import dev.perfkit.ratelimit.Tier;
import dev.perfkit.ratelimit.Tiers;

import org.springframework.boot.convert.DurationStyle;

/**
 * The effective tiers: the built-in presets overlaid with {@code perfkit.rate-limit.tiers},
 * validated at startup so that a malformed limit, an unknown tier or a cost no limit can
 * ever grant stops the application with a message naming the property.
 */
final class TierDefinitions {

	private static final String PREFIX = "perfkit.rate-limit.tiers.";

	private final Map<String, Definition> definitions;

	private TierDefinitions(Map<String, Definition> definitions) {
		this.definitions = definitions;
	}

	static TierDefinitions of(RateLimitProperties properties) {
		Map<String, Definition> definitions = new LinkedHashMap<>();
		Tiers.builtIns().forEach((name, preset) -> definitions.put(name, new Definition(preset, "ip", Set.of(), null)));
		properties.getTiers().forEach((name, tier) -> definitions.put(name, define(name, tier, Tiers.builtIn(name))));
		return new TierDefinitions(definitions);
	}

	private static Definition define(String name, TierProperties properties, Tier preset) {
		List<Limit> limits = properties.getLimits().isEmpty() && preset != null ? preset.limits()
				: parse(PREFIX + name + ".limits", properties.getLimits());
		Map<String, List<Limit>> plans = new LinkedHashMap<>();
		properties.getPlans()
			.forEach((plan, texts) -> plans.put(plan, parse(PREFIX + name + ".plans." + plan, texts)));
		if (limits.isEmpty() && plans.isEmpty()) {
			throw new InvalidPerfkitPropertyException(PREFIX + name + ".limits", null,
					"Tier '" + name + "' has no limits.",
					"set at least one limit, such as " + PREFIX + name + ".limits=20/1m, or limits per plan.");
		}
		String defaultPlan = properties.getDefaultPlan();
		if (defaultPlan != null && !plans.containsKey(defaultPlan)) {
			throw new InvalidPerfkitPropertyException(PREFIX + name + ".default-plan", defaultPlan,
					"Tier '" + name + "' names default plan '" + defaultPlan + "', which it does not list.",
					"use one of " + plans.keySet() + ", or add " + PREFIX + name + ".plans." + defaultPlan + ".");
		}
		if (limits.isEmpty() && defaultPlan == null) {
			// Fail closed: a caller on a plan the tier does not list would go unlimited.
			throw new InvalidPerfkitPropertyException(PREFIX + name + ".default-plan", null,
					"Tier '" + name + "' has limits only for the plans " + plans.keySet()
							+ ", so a caller on any other plan would not be limited at all.",
					"set " + PREFIX + name + ".default-plan to one of " + plans.keySet() + ", or give the tier "
							+ "limits of its own with " + PREFIX + name + ".limits.");
		}
		Algorithm algorithm = (properties.getAlgorithm() != null) ? properties.getAlgorithm()
				: (preset != null) ? preset.algorithm() : Algorithm.TOKEN_BUCKET;
		FailurePolicy policy = (properties.getFailurePolicy() != null) ? properties.getFailurePolicy()
				: (preset != null) ? preset.failurePolicy() : FailurePolicy.ALLOW;
		for (Integer status : properties.getChargeOnStatus()) {
			if (status == null || status < 100 || status > 599) {
				throw new InvalidPerfkitPropertyException(PREFIX + name + ".charge-on-status", status,
						"A status must be an HTTP status code.", "use codes such as 401 or 403.");
			}
		}
		String key = (properties.getKey() != null && !properties.getKey().isBlank()) ? properties.getKey() : "ip";
		Tier tier;
		try {
			tier = new Tier(name, limits, algorithm, policy, plans, defaultPlan);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidPerfkitPropertyException(PREFIX + name + ".algorithm", algorithm, ex.getMessage() + ".",
					"set " + PREFIX + name + ".algorithm=sliding-window (constant memory per key) or lower the limits.");
		}
		return new Definition(tier, key, Set.copyOf(properties.getChargeOnStatus()),
				lease(tier, properties.getLease()));
	}

	/** Validate a tier's lease settings: {@code null} when it leases nothing. */
	private static LeasePolicy lease(Tier tier, RateLimitProperties.Lease lease) {
		String batchProperty = PREFIX + tier.name() + ".lease.batch";
		String durationProperty = PREFIX + tier.name() + ".lease.duration";
		if (lease.getBatch() == 0) {
			return null;
		}
		if (lease.getBatch() < 2) {
			throw new InvalidPerfkitPropertyException(batchProperty, lease.getBatch(),
					"A lease batch must be 0 (no leasing) or at least 2 permits.",
					"set " + batchProperty + "=0 to lease nothing, or a batch of at least 2, such as 20.");
		}
		if (lease.getDuration() == null || lease.getDuration().toMillis() < 1) {
			throw new InvalidPerfkitPropertyException(durationProperty, lease.getDuration(),
					"A lease must last at least 1ms.", "set " + durationProperty + " to a duration such as 1s.");
		}
		if (tier.algorithm() != Algorithm.TOKEN_BUCKET) {
			throw new InvalidPerfkitPropertyException(batchProperty, lease.getBatch(),
					"Tier '" + tier.name() + "' counts with " + tier.algorithm() + ", and only token-bucket tiers can "
							+ "lease permits: a leased permit is spent after Redis charged it, which a sliding log or "
							+ "window would count in the wrong window.",
					"remove " + batchProperty + ", or set " + PREFIX + tier.name() + ".algorithm=token-bucket.");
		}
		long smallest = Long.MAX_VALUE;
		long shortest = Long.MAX_VALUE;
		List<Limit> all = new ArrayList<>(tier.limits());
		tier.plans().values().forEach(all::addAll);
		for (Limit limit : all) {
			smallest = Math.min(smallest, limit.capacity());
			shortest = Math.min(shortest, limit.windowMillis());
		}
		if (lease.getBatch() > smallest) {
			throw new InvalidPerfkitPropertyException(batchProperty, lease.getBatch(),
					"Tier '" + tier.name() + "' has a limit of " + smallest + " permits, fewer than the lease batch: "
							+ "one instance could lease a key's whole limit.",
					"set " + batchProperty + " to at most " + smallest + " (a small share of it is best).");
		}
		if (lease.getDuration().toMillis() > shortest) {
			throw new InvalidPerfkitPropertyException(durationProperty, lease.getDuration(),
					"Tier '" + tier.name() + "' has a window of " + shortest + "ms, shorter than the lease duration: "
							+ "leased permits could be spent in a later window than the one that paid for them.",
					"set " + durationProperty + " to at most " + shortest + "ms.");
		}
		return new LeasePolicy(lease.getBatch(), lease.getDuration());
	}

	private static List<Limit> parse(String property, List<String> texts) {
		List<Limit> limits = new ArrayList<>();
		for (String text : texts) {
			try {
				limits.add(Limit.parse(text));
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidPerfkitPropertyException(property, text, ex.getMessage() + ".",
						"write each limit as N/duration with a unit of ms, s, m, h or d, such as 5/1m, 10/1h or 100/30d.");
			}
		}
		return limits;
	}

	/**
	 * Return the lease policies of the tiers that lease.
	 * @return the policies by tier name, empty when no tier leases
	 */
	Map<String, LeasePolicy> leases() {
		Map<String, LeasePolicy> leases = new LinkedHashMap<>();
		this.definitions.forEach((name, definition) -> {
			if (definition.lease() != null) {
				leases.put(name, definition.lease());
			}
		});
		return leases;
	}

	Map<String, Tier> tiers() {
		Map<String, Tier> tiers = new LinkedHashMap<>();
		this.definitions.forEach((name, definition) -> tiers.put(name, definition.tier()));
		return tiers;
	}

	Definition get(String tier) {
		return this.definitions.get(tier);
	}

	/**
	 * Check one annotated method's (or class's) annotations against the tiers.
	 * @param annotation the annotation
	 * @param where the annotated element, for the message
	 * @param statusKnown whether responses' statuses reach the limiter (a servlet MVC
	 * application), which {@code charge-on-status} needs
	 * @throws InvalidPerfkitPropertyException for an unknown tier, a cost above a limit's
	 * capacity, an unreadable wait, or a {@code charge-on-status} tier that cannot see
	 * statuses
	 */
	void validate(RateLimit annotation, Object where, boolean statusKnown) {
		String location = (where instanceof Method method)
				? method.getDeclaringClass().getSimpleName() + "." + method.getName() + "()" : String.valueOf(where);
		Definition definition = this.definitions.get(annotation.tier());
		if (definition == null) {
			throw new InvalidPerfkitPropertyException(PREFIX + annotation.tier(), annotation.tier(),
					"@RateLimit on " + location + " names tier '" + annotation.tier() + "', which is not configured.",
					"use one of " + new TreeSet<>(this.definitions.keySet()) + ", or configure it with " + PREFIX
							+ annotation.tier() + ".limits.");
		}
		Set<Quota> quotas = new LinkedHashSet<>();
		Tier tier = definition.tier();
		if (!tier.limits().isEmpty()) {
			quotas.add(tier.quota(null));
		}
		tier.plans().keySet().forEach((plan) -> quotas.add(tier.quota(plan)));
		for (Quota quota : quotas) {
			if (annotation.cost() < 1 || annotation.cost() > quota.smallestCapacity()) {
				String property = PREFIX + tier.name() + ((quota.plan() != null) ? ".plans." + quota.plan() : ".limits");
				throw new InvalidPerfkitPropertyException(property, quota.limits(),
						"@RateLimit on " + location + " costs " + annotation.cost()
								+ ", which no request could ever pay: the smallest limit holds "
								+ quota.smallestCapacity() + ".",
						"lower the cost to between 1 and " + quota.smallestCapacity() + ", or raise the limit.");
			}
		}
		if (!definition.chargeOnStatus().isEmpty() && (!statusKnown || !annotation.maxWait().isEmpty())) {
			throw new InvalidPerfkitPropertyException(PREFIX + tier.name() + ".charge-on-status",
					definition.chargeOnStatus(),
					"@RateLimit on " + location + " uses tier '" + tier.name() + "', which counts only responses "
							+ "with these statuses, but " + (statusKnown ? "a call waiting for permits (maxWait) has no response status."
									: "this application has no Spring MVC request whose status perfkit could see."),
					"use a tier without charge-on-status there, or remove " + PREFIX + tier.name()
							+ ".charge-on-status.");
		}
		if (!annotation.maxWait().isEmpty()) {
			try {
				DurationStyle.detectAndParse(annotation.maxWait());
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidPerfkitPropertyException(PREFIX + tier.name(), annotation.maxWait(),
						"@RateLimit on " + location + " has a maxWait that is not a duration.",
						"write maxWait as a duration such as 500ms or 5s.");
			}
		}
	}

	/**
	 * A tier with its web settings.
	 *
	 * @param tier the tier
	 * @param key the key kind or SpEL expression
	 * @param chargeOnStatus statuses that consume the tier, empty for all
	 * @param lease how the tier leases permits for hot keys, {@code null} for not at all
	 */
	record Definition(Tier tier, String key, Set<Integer> chargeOnStatus, LeasePolicy lease) {
	}

}
