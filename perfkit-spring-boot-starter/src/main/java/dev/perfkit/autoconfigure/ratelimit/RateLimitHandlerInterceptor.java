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
 * {@link RateLimitMethodInterceptor}, which runs once they are bound. Tiers with
 * {@code charge-on-status} are asked without charging here and charged after completion
 * when the response's status is one of theirs.
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
		List<RateLimit> pending = new ArrayList<>();
		for (RateLimit annotation : annotations) {
			if (this.checkpoint.needsArguments(annotation)) {
				continue;
			}
			boolean chargeLater = !this.checkpoint.definition(annotation).chargeOnStatus().isEmpty();
			Decision decision = this.checkpoint.check(annotation, request, handlerMethod.getMethod(), null,
					chargeLater);
			if (!decision.allowed()) {
				throw new RateLimitExceededException(decision);
			}
			if (chargeLater) {
				pending.add(annotation);
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
			RateLimit annotation = (RateLimit) item;
			if (this.checkpoint.definition(annotation).chargeOnStatus().contains(response.getStatus())) {
				this.checkpoint.check(annotation, request, method.getMethod(), null, false);
			}
		}
	}

}
