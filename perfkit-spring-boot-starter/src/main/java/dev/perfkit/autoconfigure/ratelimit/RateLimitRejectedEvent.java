package dev.perfkit.autoconfigure.ratelimit;

import dev.perfkit.ratelimit.Decision;

import org.springframework.context.ApplicationEvent;

/**
 * Published for every rejected request, for audit logs and alerting. Carries the
 * caller's key as the limiter saw it (API keys and SpEL values already hashed).
 */
public class RateLimitRejectedEvent extends ApplicationEvent {

	private final transient Decision decision;

	private final String key;

	/**
	 * Create an event.
	 * @param source the rate limiter
	 * @param decision the rejection
	 * @param key the caller's key within the tier
	 */
	public RateLimitRejectedEvent(Object source, Decision decision, String key) {
		super(source);
		this.decision = decision;
		this.key = key;
	}

	/**
	 * Return the rejecting decision.
	 * @return the decision
	 */
	public Decision getDecision() {
		return this.decision;
	}

	/**
	 * Return the tier's name.
	 * @return the tier
	 */
	public String getTier() {
		return (this.decision.quota() != null) ? this.decision.quota().tier() : null;
	}

	/**
	 * Return the caller's key within the tier.
	 * @return the key
	 */
	public String getKey() {
		return this.key;
	}

}
