package dev.perfkit.autoconfigure.ratelimit;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.List;
import java.util.Optional;

import reactor.core.publisher.Mono;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.util.ClassUtils;
import org.springframework.web.server.ServerWebExchange;

/**
 * A WebFlux exchange as a {@link Caller}, with its principal resolved up front (reactively):
 * the authenticated user of Spring Security's reactive security context when Spring
 * Security is present, else the exchange's own principal. Anonymous authentication counts
 * as no principal, as on the servlet stack.
 * <p>
 * The peer and the forwarding header are the request's as the filter chain sees it. Spring's
 * {@code ForwardedHeaderTransformer} ({@code server.forward-headers-strategy=framework})
 * rewrites both before any filter runs, so on WebFlux leave that strategy unset and let
 * {@code perfkit.rate-limit.trusted-proxies} decide.
 *
 * <p>
 * The plan, too, is resolved up front, by the {@link ReactivePlanResolver}, once per
 * exchange: the caller is kept on the exchange, so the filter's limits and a reactive
 * service method's within the same request ask the resolver once.
 *
 * @param exchange the exchange
 * @param principal the authenticated principal, or {@code null}
 * @param plan the plan the reactive resolver named, or {@code null} when none was asked
 */
record ExchangeCaller(ServerWebExchange exchange, Principal principal, Caller.Plan plan) implements Caller {

	/** The exchange attribute holding the caller once its plan is resolved. */
	private static final String CALLER = ExchangeCaller.class.getName() + ".caller";

	private static final boolean SECURITY = ClassUtils.isPresent(
			"org.springframework.security.core.context.ReactiveSecurityContextHolder",
			ExchangeCaller.class.getClassLoader());

	/**
	 * Resolve an exchange's caller: its principal, and its plan with the given resolver.
	 * @param exchange the exchange
	 * @param plans the plan resolver, or {@code null} to leave the plan to the checkpoint
	 * @return the caller, never empty
	 */
	static Mono<ExchangeCaller> of(ServerWebExchange exchange, ReactivePlanResolver plans) {
		ExchangeCaller known = exchange.getAttribute(CALLER);
		if (known != null) {
			return Mono.just(known);
		}
		Mono<Principal> principal = SECURITY ? Security.principal().switchIfEmpty(exchange.getPrincipal())
				: exchange.getPrincipal();
		return principal.map(Optional::of).defaultIfEmpty(Optional.empty()).flatMap((found) -> {
			if (plans == null) {
				return Mono.just(new ExchangeCaller(exchange, found.orElse(null), null));
			}
			return plans.resolve(found.orElse(null), exchange)
				.map(Caller.Plan::new)
				.defaultIfEmpty(Caller.Plan.NONE)
				.map((plan) -> {
					ExchangeCaller caller = new ExchangeCaller(exchange, found.orElse(null), plan);
					exchange.getAttributes().put(CALLER, caller);
					return caller;
				});
		});
	}

	@Override
	public String remoteAddress() {
		InetSocketAddress peer = this.exchange.getRequest().getRemoteAddress();
		if (peer == null) {
			return null;
		}
		return (peer.getAddress() != null) ? peer.getAddress().getHostAddress() : peer.getHostString();
	}

	@Override
	public List<String> headers(String name) {
		List<String> values = this.exchange.getRequest().getHeaders().get(name);
		return (values != null) ? values : List.of();
	}

	@Override
	public String header(String name) {
		return this.exchange.getRequest().getHeaders().getFirst(name);
	}

	@Override
	public Object request() {
		return this.exchange.getRequest();
	}

	@Override
	public Object attribute(String name) {
		return this.exchange.getAttribute(name);
	}

	@Override
	public void attribute(String name, Object value) {
		if (value != null) {
			this.exchange.getAttributes().put(name, value);
		}
		else {
			this.exchange.getAttributes().remove(name);
		}
	}

	/** Spring Security's side, loaded only when it is present. */
	private static final class Security {

		static Mono<Principal> principal() {
			return ReactiveSecurityContextHolder.getContext()
				.mapNotNull(SecurityContext::getAuthentication)
				.filter((authentication) -> !(authentication instanceof AnonymousAuthenticationToken))
				.cast(Principal.class);
		}

	}

}
