package dev.perfkit.autoconfigure.ratelimit;

import java.util.ArrayList;
import java.util.List;

import dev.perfkit.ratelimit.Decision;
import dev.perfkit.ratelimit.RateLimit;
import dev.perfkit.ratelimit.RateLimitExceededException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Enforces {@code @RateLimit} on the resolved handler method, before it runs: whatever
 * URI, suffix or trailing slash reached it, the same method means the same limit.
 * Annotations whose key needs the method's arguments are left to
 * {@link RateLimitMethodInterceptor}, which runs once they are bound.
 * <p>
 * Tiers with {@code charge-on-status} are charged here, up front, like any other, and
 * refunded after completion when the response's status is not one of theirs. Charging
 * first is what makes them safe under concurrency: a permit is held while the request
 * runs, so N concurrent failing logins can never get more than the limit through, which
 * asking first and charging afterwards could not promise (all N would pass the question
 * before any was charged). The price is that concurrent successful requests briefly hold
 * permits until their refund, so a burst of successes near the limit can see a 429.
 */
final class RateLimitHandlerInterceptor implements HandlerInterceptor {

	/** Marks the handler method whose annotations this interceptor has taken care of. */
	static final String HANDLED = RateLimitHandlerInterceptor.class.getName() + ".handled";

	private static final String PENDING = RateLimitHandlerInterceptor.class.getName() + ".pending";

	private final Checkpoint checkpoint;

	private final RateLimitHeaders headers;

	RateLimitHandlerInterceptor(Checkpoint checkpoint, RateLimitHeaders headers) {
		this.checkpoint = checkpoint;
		this.headers = headers;
	}

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		if (!(handler instanceof HandlerMethod handlerMethod)) {
			return true;
		}
		List<RateLimit> annotations = this.checkpoint.annotations(handlerMethod.getMethod(),
				handlerMethod.getBeanType());
		if (annotations.isEmpty()) {
			return true;
		}
		request.setAttribute(HANDLED, handlerMethod.getMethod());
		Decision shown = null;
		List<Charge> pending = new ArrayList<>();
		for (RateLimit annotation : annotations) {
			if (this.checkpoint.needsArguments(annotation)) {
				continue;
			}
			Decision decision = this.checkpoint.check(annotation, request, handlerMethod.getMethod(), null, false);
			if (!decision.allowed()) {
				throw new RateLimitExceededException(decision);
			}
			if (!this.checkpoint.definition(annotation).chargeOnStatus().isEmpty()) {
				pending.add(new Charge(annotation, decision));
			}
			shown = RateLimitHeaders.moreRestrictive(shown, decision);
		}
		if (!pending.isEmpty()) {
			request.setAttribute(PENDING, pending);
		}
		if (shown != null) {
			this.headers.write(response, shown);
		}
		return true;
	}

	@Override
	public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
			Exception ex) {
		if (!(request.getAttribute(PENDING) instanceof List<?> pending) || !(handler instanceof HandlerMethod method)) {
			return;
		}
		for (Object item : pending) {
			Charge charge = (Charge) item;
			// A request that failed with an exception reports the status of the error
			// response when one was resolved; otherwise it keeps its charge.
			if (ex == null && !this.checkpoint.definition(charge.annotation()).chargeOnStatus().contains(response.getStatus())) {
				this.checkpoint.refund(charge.annotation(), request, method.getMethod(), charge.decision());
			}
		}
	}

	/** A charge made up front, to refund when the response's status is not a charged one. */
	private record Charge(RateLimit annotation, Decision decision) {
	}

}
