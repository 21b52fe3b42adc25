package dev.perfkit.autoconfigure.ratelimit;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;

import dev.perfkit.autoconfigure.ratelimit.KeyResolver.Identity;
import dev.perfkit.ratelimit.Decision;
import dev.perfkit.ratelimit.RateLimit;
import dev.perfkit.ratelimit.RateLimitExceededException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Enforces {@code @RateLimit} on any Spring bean's methods, throwing
 * {@link RateLimitExceededException} (a 429 if it reaches Spring MVC), or, with
 * {@code maxWait}, waiting up to that long for a permit. On an MVC handler it only takes
 * the annotations whose key needs the bound arguments; the handler interceptor has done
 * the rest. Within a servlet request, charges of {@code charge-on-status} tiers are held
 * on the request and settled by {@link RateLimitHandlerInterceptor} once the status is
 * known, whatever the key; rate-limit headers are written only for the request's handler.
 */
final class RateLimitMethodInterceptor implements MethodInterceptor {

	private final ObjectProvider<Checkpoint> checkpoint;

	private final ObjectProvider<RateLimitHeaders> headers;

	RateLimitMethodInterceptor(ObjectProvider<Checkpoint> checkpoint, ObjectProvider<RateLimitHeaders> headers) {
		this.checkpoint = checkpoint;
		this.headers = headers;
	}

	@Override
	public Object invoke(MethodInvocation invocation) throws Throwable {
		Checkpoint checkpoint = this.checkpoint.getObject();
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : null;
		Method method = invocation.getMethod();
		List<RateLimit> annotations = checkpoint.annotations(method, targetClass);
		RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
		HttpServletRequest request = (attributes instanceof ServletRequestAttributes servlet) ? servlet.getRequest()
				: null;
		HttpServletResponse response = (attributes instanceof ServletRequestAttributes servlet)
				? servlet.getResponse() : null;
		Method specific = (targetClass != null) ? AopUtils.getMostSpecificMethod(method, targetClass) : method;
		boolean handledByMvc = request != null && specific.equals(request.getAttribute(RateLimitHandlerInterceptor.HANDLED));
		Decision shown = null;
		for (RateLimit annotation : annotations) {
			if (handledByMvc && !checkpoint.needsArguments(annotation)) {
				continue;
			}
			Decision decision;
			if (!annotation.maxWait().isEmpty()) {
				Identity identity = checkpoint.identify(annotation, request, specific, invocation.getArguments());
				String key = (identity != null) ? identity.key() : "global";
				Duration wait = DurationStyle.detectAndParse(annotation.maxWait());
				decision = checkpoint.limiter().acquire(annotation.tier(), key, annotation.cost(), wait);
			}
			else {
				Checkpoint.Checked checked = checkpoint.check(annotation, request, specific, invocation.getArguments());
				decision = checked.decision();
				if (!decision.allowed()) {
					throw new RateLimitExceededException(decision);
				}
				checkpoint.holdForStatus(annotation, request, checked);
			}
			shown = RateLimitHeaders.moreRestrictive(shown, decision);
		}
		// Only a handler's own limits describe the response: a service's or an outbound
		// client's tier (maxWait) is none of the caller's business. A rejection still
		// carries its own headers through the exception resolver.
		if (handledByMvc && shown != null && response != null && !response.isCommitted()) {
			this.headers.getObject().write(response, shown);
		}
		return invocation.proceed();
	}

}
