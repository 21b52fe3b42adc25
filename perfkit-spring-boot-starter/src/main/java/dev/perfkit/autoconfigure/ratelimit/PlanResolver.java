package dev.perfkit.autoconfigure.ratelimit;

import java.security.Principal;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Names the caller's plan, which picks a tier's limits under
 * {@code perfkit.rate-limit.tiers.<tier>.plans.<plan>}. Define a bean to replace the
 * default, which answers {@code anonymous} or {@code authenticated}. A plan a tier does
 * not list gets the tier's own limits.
 */
@FunctionalInterface
public interface PlanResolver {

	/** The default plan of a caller without a principal. */
	String ANONYMOUS = "anonymous";

	/** The default plan of a caller with a principal. */
	String AUTHENTICATED = "authenticated";

	/**
	 * Return the caller's plan.
	 * @param principal the authenticated principal, or {@code null}
	 * @param request the current request, or {@code null} outside a web request
	 * @return the plan's name, or {@code null} for the tier's own limits
	 */
	String resolve(Principal principal, HttpServletRequest request);

	/**
	 * The default: anonymous or authenticated.
	 * @return the resolver
	 */
	static PlanResolver byAuthentication() {
		return (principal, request) -> (principal != null) ? AUTHENTICATED : ANONYMOUS;
	}

}
