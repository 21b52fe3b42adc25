package dev.perfkit.autoconfigure.ratelimit;

import dev.perfkit.ratelimit.Decision;

import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Builds the RFC 9457 body of a {@code 429} on WebFlux. Define a bean to replace it; the
 * default writes the same body as {@link RateLimitProblemFactory#standard()} does on
 * Spring MVC.
 */
@FunctionalInterface
public interface ReactiveRateLimitProblemFactory {

	/**
	 * Build the problem.
	 * @param decision the rejection
	 * @param request the request
	 * @return the problem; its status should stay 429
	 */
	ProblemDetail create(Decision decision, ServerHttpRequest request);

	/**
	 * The default, the same as {@link RateLimitProblemFactory#standard()}.
	 * @return the factory
	 */
	static ReactiveRateLimitProblemFactory standard() {
		return (decision, request) -> RateLimitProblems.standard(decision, request.getPath().value());
	}

}
