package dev.perfkit.autoconfigure.ratelimit;

import java.lang.reflect.Method;
import java.util.List;

import dev.perfkit.ratelimit.Decision;
import dev.perfkit.ratelimit.RateLimit;
import dev.perfkit.ratelimit.RateLimitExceededException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.AsyncHandlerInterceptor;

/**
 * Enforces {@code @RateLimit} on the resolved handler method, before it runs: whatever
 * URI, suffix or trailing slash reached it, the same method means the same limit.
 * Annotations whose key needs the method's arguments are left to
 * {@link RateLimitMethodInterceptor}, which runs once they are bound.
 * <p>
 * <b>One charge per request.</b> A handler that returns a {@code Callable},
 * {@code DeferredResult}, {@code CompletableFuture}, {@code StreamingResponseBody} or an
 * emitter is dispatched twice: once to start it and once, asynchronously, to write its
 * result, and interceptors see both. The method is marked on the request at the first
 * dispatch, so any later dispatch of the same request to the same method charges nothing
 * again; completion (and with it the refund of {@code charge-on-status} tiers) happens
 * only after the last dispatch, when the final status is known.
 * <p>
 * Tiers with {@code charge-on-status} are charged here, up front, like any other, and
 * refunded after completion when the response's status is not one of theirs. Charging
 * first is what makes them safe under concurrency: a permit is held while the request
 * runs, so N concurrent failing logins can never get more than the limit through, which
 * asking first and charging afterwards could not promise (all N would pass the question
 * before any was charged). The price is that concurrent successful requests briefly hold
 * permits until their refund, so a burst of successes near the limit can see a 429.
 * Charges made by the method interceptor (keys over the method's arguments) are held on
 * the same request and settled here too.
 */
final class RateLimitHandlerInterceptor implements AsyncHandlerInterceptor {

	/** Marks the handler method whose annotations this interceptor has taken care of. */
	static final String HANDLED = RateLimitHandlerInterceptor.class.getName() + ".handled";

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
		Method method = handlerMethod.getMethod();
		ServletCaller caller = new ServletCaller(request);
		if (method.equals(request.getAttribute(HANDLED))) {
			// A later dispatch of a request already charged (async result, re-dispatch).
			return true;
		}
		List<RateLimit> annotations = this.checkpoint.annotations(method, handlerMethod.getBeanType());
		if (annotations.isEmpty()) {
			return true;
		}
		request.setAttribute(HANDLED, method);
		Decision shown = null;
		for (RateLimit annotation : annotations) {
			if (this.checkpoint.needsArguments(annotation)) {
				continue;
			}
			Checkpoint.Checked checked = this.checkpoint.check(annotation, caller, method, null);
			Decision decision = checked.decision();
			if (!decision.allowed()) {
				throw new RateLimitExceededException(decision);
			}
			this.checkpoint.holdForStatus(annotation, caller, checked);
			shown = RateLimitHeaders.moreRestrictive(shown, decision);
		}
		if (shown != null) {
			this.headers.write(response::setHeader, shown);
		}
		return true;
	}

	@Override
	public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
			Exception ex) {
		// A request that failed with an exception reports the status of the error response
		// when a resolver handled it (then ex is null here); otherwise it keeps its charges.
		this.checkpoint.settle(new ServletCaller(request), response.getStatus(), ex != null);
	}

}
