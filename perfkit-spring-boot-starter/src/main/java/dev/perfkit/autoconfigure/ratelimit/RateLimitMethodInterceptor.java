package dev.perfkit.autoconfigure.ratelimit;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;

import dev.perfkit.autoconfigure.ratelimit.KeyResolver.Identity;
import dev.perfkit.ratelimit.Decision;
import dev.perfkit.ratelimit.RateLimit;
import dev.perfkit.ratelimit.RateLimitExceededException;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.ClassUtils;

/**
 * Enforces {@code @RateLimit} on any Spring bean's methods, throwing
 * {@link RateLimitExceededException} (a 429 if it reaches Spring MVC), or, with
 * {@code maxWait}, waiting up to that long for a permit. On an MVC handler it only takes
 * the annotations whose key needs the bound arguments; the handler interceptor has done
 * the rest. Within a servlet request, charges of {@code charge-on-status} tiers are held
 * on the request and settled by {@link RateLimitHandlerInterceptor} once the status is
 * known, whatever the key; rate-limit headers are written only for the request's handler.
 * Outside a servlet request, a method returning {@code Mono} or {@code Flux} is limited
 * reactively ({@link ReactiveRateLimits}), and any other method called on an event-loop
 * thread fails rather than block it waiting for Redis.
 */
final class RateLimitMethodInterceptor implements MethodInterceptor {

	private static final boolean SERVLET = ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest",
			RateLimitMethodInterceptor.class.getClassLoader());

	private static final boolean REACTOR = ClassUtils.isPresent("reactor.core.publisher.Mono",
			RateLimitMethodInterceptor.class.getClassLoader());

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
		Method specific = (targetClass != null) ? AopUtils.getMostSpecificMethod(method, targetClass) : method;
		ServletCaller request = SERVLET ? ServletCaller.current() : null;
		if (request == null && REACTOR && ReactiveRateLimits.isReactive(specific.getReturnType())) {
			return ReactiveRateLimits.invoke(checkpoint, this.headers.getObject(), annotations, specific, invocation);
		}
		if (request == null && REACTOR && ReactiveRateLimits.onNonBlockingThread()) {
			throw new IllegalStateException("@RateLimit on " + specific.toGenericString()
					+ " would block an event-loop thread waiting for Redis: return a Mono or Flux from it");
		}
		boolean handledByMvc = request != null
				&& specific.equals(request.attribute(RateLimitHandlerInterceptor.HANDLED));
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
		if (handledByMvc && shown != null) {
			ServletCaller.writeHeaders(this.headers.getObject(), shown);
		}
		return invocation.proceed();
	}

}
