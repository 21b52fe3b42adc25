package dev.perfkit.autoconfigure.ratelimit;

import java.lang.reflect.Method;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import dev.perfkit.autoconfigure.ratelimit.KeyResolver.Identity;
import dev.perfkit.autoconfigure.ratelimit.TierDefinitions.Definition;
import dev.perfkit.ratelimit.Decision;
import dev.perfkit.ratelimit.RateLimit;
import dev.perfkit.ratelimit.RateLimiter;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Where an annotated call meets the limiter, for the MVC interceptor, the WebFlux filter
 * and the method interceptor, on either stack's request seen as a {@link Caller}: finds the annotations, resolves key and plan, applies the allow-list and
 * the missing-key policy, and checks.
 */
final class Checkpoint {

	/** The request attribute holding the charges to settle on completion. */
	private static final String PENDING = Checkpoint.class.getName() + ".pending";

	private final RateLimiter limiter;

	private final TierDefinitions tiers;

	private final KeyResolver keys;

	private final Plans plans;

	private final RateLimitProperties.MissingKey missingKey;

	private final Map<Method, List<RateLimit>> annotations = new ConcurrentHashMap<>();

	Checkpoint(RateLimiter limiter, TierDefinitions tiers, KeyResolver keys, Plans plans,
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
	 * Check and charge one annotation.
	 * @param annotation the annotation
	 * @param request the request, or {@code null}
	 * @param method the invoked method
	 * @param args its arguments, or {@code null} before binding
	 * @return the decision, with the key it charged ({@code null} when nothing was)
	 */
	Checked check(RateLimit annotation, Caller request, Method method, Object[] args) {
		Identity identity = identify(annotation, request, method, args);
		Checked exempt = exempt(annotation, request, identity);
		if (exempt != null) {
			return exempt;
		}
		Decision decision = this.limiter.check(annotation.tier(), plan(request), identity.key(), annotation.cost());
		return new Checked(decision, identity.key());
	}

	/**
	 * Check and charge one annotation like {@link #check}, without blocking: for reactive
	 * callers. Only the Redis call is asynchronous; key, plan and allow-list are resolved
	 * on the calling thread, in memory.
	 * @param annotation the annotation
	 * @param request the request, or {@code null}
	 * @param method the invoked method
	 * @param args its arguments, or {@code null} before binding
	 * @return the decision, with the key it charged; never completes exceptionally for an
	 * unavailable Redis (the tier's failure policy answers)
	 */
	CompletableFuture<Checked> checkAsync(RateLimit annotation, Caller request, Method method, Object[] args) {
		Identity identity = identify(annotation, request, method, args);
		Checked exempt = exempt(annotation, request, identity);
		if (exempt != null) {
			return CompletableFuture.completedFuture(exempt);
		}
		return this.limiter.checkAsync(annotation.tier(), plan(request), identity.key(), annotation.cost())
			.thenApply((decision) -> new Checked(decision, identity.key()));
	}

	/** The answer for a caller without a key or on the allow-list, else {@code null}. */
	private Checked exempt(RateLimit annotation, Caller request, Identity identity) {
		if (identity != null && !this.keys.isAllowListed(identity)) {
			return null;
		}
		if (identity == null && this.missingKey == RateLimitProperties.MissingKey.DENY) {
			return new Checked(Decision.denied(definition(annotation).tier().quota(plan(request)), 1000), null);
		}
		return new Checked(Decision.unlimited(null, Decision.Source.EXEMPT), null);
	}

	/**
	 * Remember, for a {@code charge-on-status} tier, a charge to give back after the
	 * response unless its status is one the tier counts. Does nothing for other tiers or
	 * outside a request.
	 * @param annotation the annotation
	 * @param request the request, or {@code null}
	 * @param checked the admitting check
	 */
	void holdForStatus(RateLimit annotation, Caller request, Checked checked) {
		Set<Integer> statuses = definition(annotation).chargeOnStatus();
		if (statuses.isEmpty() || request == null || checked.key() == null) {
			return;
		}
		@SuppressWarnings("unchecked")
		List<Charge> pending = (List<Charge>) request.attribute(PENDING);
		if (pending == null) {
			pending = new ArrayList<>();
			request.attribute(PENDING, pending);
		}
		pending.add(new Charge(statuses, checked.decision(), checked.key(), annotation.cost()));
	}

	/**
	 * Give back the held charges whose tier does not count the response's status.
	 * @param request the completed request
	 * @param status the response's status
	 * @param failed whether the handler failed with an exception no resolver handled (it
	 * keeps its charges)
	 */
	void settle(Caller request, int status, boolean failed) {
		for (Charge charge : due(request, status, failed)) {
			this.limiter.refund(charge.decision(), charge.key(), charge.cost());
		}
	}

	/**
	 * Settle like {@link #settle}, without blocking: for reactive callers.
	 * @param request the completed request
	 * @param status the response's status
	 * @param failed whether the handler failed with an exception nothing handled
	 * @return completes when the refunds are done; never completes exceptionally
	 */
	CompletableFuture<Void> settleAsync(Caller request, int status, boolean failed) {
		List<Charge> due = due(request, status, failed);
		if (due.isEmpty()) {
			return CompletableFuture.completedFuture(null);
		}
		CompletableFuture<?>[] refunds = new CompletableFuture<?>[due.size()];
		for (int i = 0; i < refunds.length; i++) {
			Charge charge = due.get(i);
			refunds[i] = this.limiter.refundAsync(charge.decision(), charge.key(), charge.cost());
		}
		return CompletableFuture.allOf(refunds);
	}

	/** Take the held charges off the request and return those to give back. */
	private List<Charge> due(Caller request, int status, boolean failed) {
		if (!(request.attribute(PENDING) instanceof List<?> pending)) {
			return List.of();
		}
		request.attribute(PENDING, null);
		if (failed) {
			return List.of();
		}
		List<Charge> due = new ArrayList<>();
		for (Object item : pending) {
			Charge charge = (Charge) item;
			if (!charge.statuses().contains(status)) {
				due.add(charge);
			}
		}
		return due;
	}

	/**
	 * Resolve the caller's key, applying the missing-key policy {@code ip}.
	 * @return the key, or {@code null} when missing and not replaced by the address
	 */
	Identity identify(RateLimit annotation, Caller request, Method method, Object[] args) {
		Identity identity = this.keys.resolve(keySpec(annotation), request, method, args);
		if (identity == null && this.missingKey == RateLimitProperties.MissingKey.IP) {
			identity = this.keys.ip(request);
		}
		return identity;
	}

	RateLimiter limiter() {
		return this.limiter;
	}

	String plan(Caller request) {
		Caller.Plan resolved = (request != null) ? request.plan() : null;
		if (resolved != null) {
			return resolved.name();
		}
		Principal principal = (request != null) ? request.principal() : null;
		return this.plans.resolve(principal, request);
	}

	KeyResolver keys() {
		return this.keys;
	}

	RateLimitProperties.MissingKey missingKey() {
		return this.missingKey;
	}

	/**
	 * Names the caller's plan: the application's {@link PlanResolver} on a servlet stack
	 * ({@link ServletCaller#plans}), else {@link #BY_AUTHENTICATION}.
	 */
	@FunctionalInterface
	interface Plans {

		/** Anonymous or authenticated, as {@link PlanResolver#byAuthentication()}. */
		Plans BY_AUTHENTICATION = (principal, request) -> (principal != null) ? PlanResolver.AUTHENTICATED
				: PlanResolver.ANONYMOUS;

		String resolve(Principal principal, Caller request);

	}

	/**
	 * A decision and the key it charged.
	 *
	 * @param decision the decision
	 * @param key the key the limiter saw, {@code null} when the request was exempt
	 */
	record Checked(Decision decision, String key) {
	}

	/** A charge made up front, to give back when the response's status is not counted. */
	private record Charge(Set<Integer> statuses, Decision decision, String key, long cost) {
	}

}
