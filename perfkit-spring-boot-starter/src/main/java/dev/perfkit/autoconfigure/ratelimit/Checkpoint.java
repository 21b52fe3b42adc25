package dev.perfkit.autoconfigure.ratelimit;

import java.lang.reflect.Method;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.perfkit.autoconfigure.ratelimit.KeyResolver.Identity;
import dev.perfkit.autoconfigure.ratelimit.TierDefinitions.Definition;
import dev.perfkit.ratelimit.Decision;
import dev.perfkit.ratelimit.RateLimit;
import dev.perfkit.ratelimit.RateLimiter;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Where an annotated call meets the limiter, for both the MVC interceptor and the method
 * interceptor: finds the annotations, resolves key and plan, applies the allow-list and
 * the missing-key policy, and checks.
 */
final class Checkpoint {

	private final RateLimiter limiter;

	private final TierDefinitions tiers;

	private final KeyResolver keys;

	private final PlanResolver plans;

	private final RateLimitProperties.MissingKey missingKey;

	private final Map<Method, List<RateLimit>> annotations = new ConcurrentHashMap<>();

	Checkpoint(RateLimiter limiter, TierDefinitions tiers, KeyResolver keys, PlanResolver plans,
			RateLimitProperties properties) {
		this.limiter = limiter;
		this.tiers = tiers;
		this.keys = keys;
		this.plans = plans;
		this.missingKey = properties.getMissingKey();
	}

	/**
	 * Return a method's annotations, or its class's when it has none.
	 * @param method the method
	 * @param targetClass the class of the object it is called on
	 * @return the annotations, possibly empty
	 */
	List<RateLimit> annotations(Method method, Class<?> targetClass) {
		return this.annotations.computeIfAbsent(method, (ignored) -> find(method, targetClass));
	}

	static List<RateLimit> find(Method method, Class<?> targetClass) {
		Method specific = (targetClass != null) ? AopUtils.getMostSpecificMethod(method, targetClass) : method;
		List<RateLimit> found = List.copyOf(AnnotatedElementUtils.findMergedRepeatableAnnotations(specific,
				RateLimit.class, RateLimit.List.class));
		if (found.isEmpty() && targetClass != null) {
			found = List.copyOf(AnnotatedElementUtils.findMergedRepeatableAnnotations(targetClass, RateLimit.class,
					RateLimit.List.class));
		}
		return found;
	}

	Definition definition(RateLimit annotation) {
		return this.tiers.get(annotation.tier());
	}

	String keySpec(RateLimit annotation) {
		return annotation.key().isEmpty() ? definition(annotation).key() : annotation.key();
	}

	boolean needsArguments(RateLimit annotation) {
		return KeyResolver.needsArguments(keySpec(annotation));
	}

	/**
	 * Check one annotation.
	 * @param annotation the annotation
	 * @param request the request, or {@code null}
	 * @param method the invoked method
	 * @param args its arguments, or {@code null} before binding
	 * @param dryRun whether only to ask, charging nothing
	 * @return the decision
	 */
	Decision check(RateLimit annotation, HttpServletRequest request, Method method, Object[] args, boolean dryRun) {
		Identity identity = identify(annotation, request, method, args);
		if (identity == null || this.keys.isAllowListed(identity, request)) {
			if (identity == null && this.missingKey == RateLimitProperties.MissingKey.DENY) {
				return Decision.denied(definition(annotation).tier().quota(plan(request)), 1000);
			}
			return Decision.unlimited(null, Decision.Source.EXEMPT);
		}
		return this.limiter.check(annotation.tier(), plan(request), identity.key(), annotation.cost(), dryRun);
	}

	/**
	 * Give back what an admitting check of this annotation charged (for a
	 * {@code charge-on-status} tier whose response had another status).
	 * @param annotation the annotation
	 * @param request the request
	 * @param method the invoked method
	 * @param decision the admitting decision
	 */
	void refund(RateLimit annotation, HttpServletRequest request, Method method, Decision decision) {
		Identity identity = identify(annotation, request, method, null);
		if (identity != null) {
			this.limiter.refund(decision, identity.key(), annotation.cost());
		}
	}

	/**
	 * Resolve the caller's key, applying the missing-key policy {@code ip}.
	 * @return the key, or {@code null} when missing and not replaced by the address
	 */
	Identity identify(RateLimit annotation, HttpServletRequest request, Method method, Object[] args) {
		Identity identity = this.keys.resolve(keySpec(annotation), request, method, args);
		if (identity == null && this.missingKey == RateLimitProperties.MissingKey.IP) {
			identity = this.keys.ip(request);
		}
		return identity;
	}

	RateLimiter limiter() {
		return this.limiter;
	}

	private String plan(HttpServletRequest request) {
		Principal principal = (request != null) ? request.getUserPrincipal() : null;
		return this.plans.resolve(principal, request);
	}

}
