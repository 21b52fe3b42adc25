package dev.perfkit.autoconfigure.ratelimit;

import java.net.URI;

import dev.perfkit.ratelimit.Decision;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * Builds the RFC 9457 body of a {@code 429}. Define a bean to replace it.
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
		return (decision, request) -> {
			String tier = (decision.quota() != null) ? decision.quota().tier() : "unknown";
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS,
					"Rate limit of tier '" + tier + "' exceeded; retry after " + decision.retryAfterSeconds()
							+ " seconds.");
			problem.setTitle("Too Many Requests");
			problem.setInstance(URI.create(request.getRequestURI()));
			problem.setProperty("tier", tier);
			if (decision.limit() != null) {
				problem.setProperty("limit", decision.limit().toString());
			}
			problem.setProperty("retryAfter", decision.retryAfterSeconds());
			return problem;
		};
	}

}
