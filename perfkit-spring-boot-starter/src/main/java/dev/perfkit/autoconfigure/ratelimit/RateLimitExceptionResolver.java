package dev.perfkit.autoconfigure.ratelimit;

import java.io.IOException;

import dev.perfkit.ratelimit.RateLimitExceededException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Turns a {@link RateLimitExceededException}, thrown by the handler interceptor or by a
 * limited bean the handler called, into {@code 429 Too Many Requests} with
 * {@code Retry-After}, the rate-limit headers and an RFC 9457
 * {@code application/problem+json} body from the {@link RateLimitProblemFactory}.
 */
final class RateLimitExceptionResolver implements HandlerExceptionResolver, Ordered {

	private final RateLimitHeaders headers;

	private final RateLimitProblemFactory problems;

	RateLimitExceptionResolver(RateLimitHeaders headers, RateLimitProblemFactory problems) {
		this.headers = headers;
		this.problems = problems;
	}

	@Override
	public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
			Exception ex) {
		if (!(ex instanceof RateLimitExceededException rejection) || response.isCommitted()) {
			return null;
		}
		ProblemDetail problem = this.problems.create(rejection.getDecision(), request);
		response.resetBuffer();
		response.setStatus(problem.getStatus());
		this.headers.write(response::setHeader, rejection.getDecision());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		try {
			response.getOutputStream().write(RateLimitProblems.json(problem));
		}
		catch (IOException ignored) {
			// The client went away; the status and headers were all it needed.
		}
		return new ModelAndView();
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
