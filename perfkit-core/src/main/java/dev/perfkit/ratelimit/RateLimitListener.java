package dev.perfkit.ratelimit;

/**
 * Hears about every rejection, for events and audit logs.
 */
@FunctionalInterface
public interface RateLimitListener {

	/**
	 * Called on the checking thread after a request was rejected; must be quick.
	 * @param decision the rejection
	 * @param key the caller's identity within the tier
	 */
	void rejected(Decision decision, String key);

}
