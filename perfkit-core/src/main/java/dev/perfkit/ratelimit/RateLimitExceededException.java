package dev.perfkit.ratelimit;

/**
 * Thrown when a call is over its tier's limit. Reaching Spring MVC it becomes a
 * {@code 429 Too Many Requests} with {@code Retry-After}.
 */
public class RateLimitExceededException extends RuntimeException {

	private final transient Decision decision;

	/**
	 * Create an exception.
	 * @param decision the rejecting decision
	 */
	public RateLimitExceededException(Decision decision) {
		super("Rate limit of tier '" + ((decision.quota() != null) ? decision.quota().tier() : "?")
				+ "' exceeded; retry after " + decision.retryAfterSeconds() + "s");
		this.decision = decision;
	}

	/**
	 * Return the rejecting decision.
	 * @return the decision
	 */
	public Decision getDecision() {
		return this.decision;
	}

}
