package dev.perfkit.ratelimit;

/**
 * What a tier does when its Redis backend cannot answer (down, timed out, breaker open).
 */
public enum FailurePolicy {

	/** Admit the request unlimited. */
	ALLOW,

	/** Reject the request. */
	DENY,

	/** Decide with this instance's local limiter (per instance, not shared). */
	LOCAL

}
