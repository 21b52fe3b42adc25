package dev.perfkit.autoconfigure.ratelimit;

import dev.perfkit.ratelimit.Decision;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.ProblemDetail;

/**
 * Builds the RFC 9457 body of a {@code 429} on Spring MVC. Define a bean to replace it
 * (on WebFlux, see {@link ReactiveRateLimitProblemFactory}).
 */
@FunctionalInterface
public interface RateLimitProblemFactory {

	/**
	 * Build the problem.
	 * @param decision the rejection
	 * @param request the request
	 * @return the problem; its status should stay 429
	 */
	ProblemDetail create(Decision decision, HttpServletRequest request);

	/**
	 * The default: title {@code Too Many Requests}, a detail sentence, the request path as
	 * {@code instance}, and {@code tier}, {@code limit} (the binding one, when known) and
	 * {@code retryAfter} (seconds) as extension members.
	 * @return the factory
	 */
	static RateLimitProblemFactory standard() {
		return (decision, request) -> RateLimitProblems.standard(decision, request.getRequestURI());
	}

}
