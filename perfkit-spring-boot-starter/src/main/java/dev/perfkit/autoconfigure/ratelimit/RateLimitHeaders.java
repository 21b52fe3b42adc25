package dev.perfkit.autoconfigure.ratelimit;

import java.util.function.BiConsumer;

import dev.perfkit.ratelimit.Decision;

/**
 * Writes the rate-limit headers of a decision: {@code X-RateLimit-Limit},
 * {@code -Remaining} and {@code -Reset} for the binding limit, optionally the IETF draft
 * {@code RateLimit-Policy} and {@code RateLimit}, and {@code Retry-After} on a rejection.
 */
final class RateLimitHeaders {

	private final RateLimitProperties.Headers settings;

	RateLimitHeaders(RateLimitProperties.Headers settings) {
		this.settings = settings;
	}

	/**
	 * Write a decision's headers.
	 * @param response sets one header, replacing any value it had (the servlet response's
	 * {@code setHeader}, or {@code HttpHeaders::set} on WebFlux)
	 * @param decision the decision
	 */
	void write(BiConsumer<String, String> response, Decision decision) {
		if (!decision.allowed()) {
			response.accept("Retry-After", Long.toString(decision.retryAfterSeconds()));
		}
		if (!this.settings.isEnabled() || !decision.limited()) {
			return;
		}
		long reset = (this.settings.getResetFormat() == RateLimitProperties.ResetFormat.SECONDS)
				? decision.resetSeconds() : decision.resetEpochSeconds();
		response.accept("X-RateLimit-Limit", Long.toString(decision.limit().capacity()));
		response.accept("X-RateLimit-Remaining", Long.toString(decision.remaining()));
		response.accept("X-RateLimit-Reset", Long.toString(reset));
		if (this.settings.isIetf()) {
			String policy = "\"" + decision.quota().tier() + "\"";
			response.accept("RateLimit-Policy", policy + ";q=" + decision.limit().capacity() + ";w="
					+ Math.max(1, decision.limit().windowMillis() / 1000));
			response.accept("RateLimit", policy + ";r=" + decision.remaining() + ";t=" + decision.resetSeconds());
		}
	}

	/**
	 * Return the decision to report of two: the one with fewer permits left.
	 * @param current the one chosen so far, may be {@code null}
	 * @param next the next
	 * @return the more restrictive
	 */
	static Decision moreRestrictive(Decision current, Decision next) {
		if (!next.limited()) {
			return current;
		}
		if (current == null || next.remaining() < current.remaining()) {
			return next;
		}
		return current;
	}

}
