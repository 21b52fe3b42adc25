package dev.perfkit.ratelimit;

import java.util.List;
import java.util.Map;

/**
 * The built-in tiers' names, for {@code @RateLimit(tier = AUTH)} with a static import,
 * and their preset limits, which {@code perfkit.rate-limit.tiers.<name>.*} may override.
 */
public final class Tiers {

	/** Logins and other credential checks: 5 per minute, exact sliding log. */
	public static final String AUTH = "auth";

	/** Password resets and magic links: 3 per 5 minutes, exact sliding log. */
	public static final String PASSWORD_RESET = "password-reset";

	/** Sensitive writes: 20 per minute, token bucket. */
	public static final String SENSITIVE = "sensitive";

	/** Ordinary writes: 60 per minute, token bucket. */
	public static final String STANDARD = "standard";

	/** Reads: 120 per minute, token bucket. */
	public static final String RELAXED = "relaxed";

	private static final Map<String, Tier> BUILT_IN = Map.of(
			AUTH, new Tier(AUTH, List.of(Limit.parse("5/1m")), Algorithm.SLIDING_LOG, FailurePolicy.LOCAL, Map.of()),
			PASSWORD_RESET,
			new Tier(PASSWORD_RESET, List.of(Limit.parse("3/5m")), Algorithm.SLIDING_LOG, FailurePolicy.LOCAL,
					Map.of()),
			SENSITIVE,
			new Tier(SENSITIVE, List.of(Limit.parse("20/1m")), Algorithm.TOKEN_BUCKET, FailurePolicy.ALLOW, Map.of()),
			STANDARD,
			new Tier(STANDARD, List.of(Limit.parse("60/1m")), Algorithm.TOKEN_BUCKET, FailurePolicy.ALLOW, Map.of()),
			RELAXED,
			new Tier(RELAXED, List.of(Limit.parse("120/1m")), Algorithm.TOKEN_BUCKET, FailurePolicy.ALLOW, Map.of()));

	private Tiers() {
	}

	/**
	 * Return the preset of a built-in tier.
	 * @param name the tier's name
	 * @return the preset, or {@code null} when the name is not a built-in tier
	 */
	public static Tier builtIn(String name) {
		return BUILT_IN.get(name);
	}

	/**
	 * Return the presets of all built-in tiers.
	 * @return the presets by name
	 */
	public static Map<String, Tier> builtIns() {
		return BUILT_IN;
	}

}
