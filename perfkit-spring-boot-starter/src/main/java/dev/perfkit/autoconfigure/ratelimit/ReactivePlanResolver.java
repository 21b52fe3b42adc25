package dev.perfkit.autoconfigure.ratelimit;

import java.security.Principal;

import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;

/**
 * Names the caller's plan on WebFlux, without blocking: the reactive counterpart of
 * {@link PlanResolver}, which picks a tier's limits under
 * {@code perfkit.rate-limit.tiers.<tier>.plans.<plan>}. Define a bean to read the plan from
 * a reactive user store; it is asked once per request, when the request first meets a
 * limit, and the answer is kept on the exchange for the request's other limits. The
 * default asks the {@link PlanResolver} bean when the servlet API is present (with the
 * principal and no request), else answers {@code anonymous} or {@code authenticated}.
 */
@FunctionalInterface
public interface ReactivePlanResolver {

	/**
	 * Return the caller's plan.
	 * @param principal the authenticated principal (Spring Security's reactive security
	 * context, else the exchange's), or {@code null}
	 * @param exchange the current exchange
	 * @return the plan's name, or empty for the tier's {@code default-plan} (else its own
	 * limits); an error fails the request
	 */
	Mono<String> resolve(Principal principal, ServerWebExchange exchange);

	/**
	 * Anonymous or authenticated, as {@link PlanResolver#byAuthentication()}.
	 * @return the resolver
	 */
	static ReactivePlanResolver byAuthentication() {
		return (principal, exchange) -> Mono
			.just((principal != null) ? PlanResolver.AUTHENTICATED : PlanResolver.ANONYMOUS);
	}

}
