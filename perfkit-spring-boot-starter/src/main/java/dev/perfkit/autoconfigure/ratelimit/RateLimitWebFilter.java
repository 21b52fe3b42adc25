package dev.perfkit.autoconfigure.ratelimit;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;

import dev.perfkit.ratelimit.Decision;
import dev.perfkit.ratelimit.RateLimit;
import dev.perfkit.ratelimit.RateLimitExceededException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Enforces {@code @RateLimit} on annotated WebFlux handler methods, before they run, and
 * turns a {@link RateLimitExceededException} from anything downstream (a limited reactive
 * service) into the same {@code 429} as on Spring MVC: {@code Retry-After}, the rate-limit
 * headers and an {@code application/problem+json} body.
 * <p>
 * <b>Implementation note.</b> The filter asks the application's
 * {@link RequestMappingHandlerMapping} which handler method the exchange maps to (the
 * lookup {@code DispatcherHandler} then repeats), so the same method means the same limit
 * whatever URI reached it, as with the MVC interceptor. Every check is a
 * {@link Checkpoint#checkAsync non-blocking} one: keys, plans and the allow-list are
 * resolved in memory, and the Redis script runs on Lettuce's asynchronous API, so no
 * event-loop thread ever waits for Redis; a reply that arrives later is handed back to
 * Reactor's parallel scheduler, not run on Lettuce's thread. Annotations whose key needs
 * the method's arguments are left to the method interceptor, which sees them bound (the
 * handler must then return a {@code Mono} or {@code Flux}). The exchange is put in the
 * Reactor context for it, and the handler method is marked on the exchange so that it does
 * not charge the filter's annotations again. {@code charge-on-status} tiers are charged up
 * front and refunded once the response's status is known, as on Spring MVC. The caller's
 * plan comes from the {@link ReactivePlanResolver}, asked once per request (without
 * blocking) before the first check; the resolver goes into the Reactor context with the
 * exchange, for reactive service methods. The filter
 * runs after Spring Security's ({@code -100}), so the principal is the authenticated one.
 */
final class RateLimitWebFilter implements WebFilter, Ordered {

	/** The filter's order: after Spring Security's {@code WebFilterChainProxy}. */
	static final int ORDER = -50;

	/** Marks the handler method whose annotations this filter has taken care of. */
	static final String HANDLED = RateLimitWebFilter.class.getName() + ".handled";

	private final ObjectProvider<RequestMappingHandlerMapping> mapping;

	private final Checkpoint checkpoint;

	private final RateLimitHeaders headers;

	private final ReactiveRateLimitProblemFactory problems;

	private final ReactivePlanResolver plans;

	RateLimitWebFilter(ObjectProvider<RequestMappingHandlerMapping> mapping, Checkpoint checkpoint,
			RateLimitHeaders headers, ReactiveRateLimitProblemFactory problems, ReactivePlanResolver plans) {
		this.mapping = mapping;
		this.checkpoint = checkpoint;
		this.headers = headers;
		this.problems = problems;
		this.plans = plans;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		return limited(exchange).map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.flatMap((handler) -> handler.isPresent() ? check(exchange, chain, handler.get())
					: settled(new ExchangeCaller(exchange, null, null), proceed(exchange, chain)))
			.contextWrite((context) -> context.put(ReactiveRateLimits.EXCHANGE, exchange)
				.put(ReactiveRateLimits.PLANS, this.plans));
	}

	/** The exchange's handler method when it has {@code @RateLimit} annotations. */
	private Mono<HandlerMethod> limited(ServerWebExchange exchange) {
		RequestMappingHandlerMapping handlers = this.mapping.getIfAvailable();
		if (handlers == null) {
			return Mono.empty();
		}
		return handlers.getHandler(exchange)
			// No match (404, 405, 415): DispatcherHandler reports it, nothing to limit.
			.onErrorResume((ex) -> Mono.empty())
			.ofType(HandlerMethod.class)
			.filter((handler) -> !this.checkpoint.annotations(handler.getMethod(), handler.getBeanType()).isEmpty());
	}

	private Mono<Void> check(ServerWebExchange exchange, WebFilterChain chain, HandlerMethod handler) {
		Method method = handler.getMethod();
		List<RateLimit> annotations = this.checkpoint.annotations(method, handler.getBeanType());
		exchange.getAttributes().put(HANDLED, method);
		return ExchangeCaller.of(exchange, this.plans).flatMap((caller) -> Flux.fromIterable(annotations)
			.filter((annotation) -> !this.checkpoint.needsArguments(annotation))
			// One at a time, stopping at the first rejection, as the MVC interceptor does.
			.concatMap((annotation) -> ReactiveRateLimits
				.mono(() -> this.checkpoint.checkAsync(annotation, caller, method, null))
				.map((checked) -> {
					if (checked.decision().allowed()) {
						this.checkpoint.holdForStatus(annotation, caller, checked);
					}
					return checked.decision();
				}))
			.takeUntil((decision) -> !decision.allowed())
			.collectList()
			.flatMap((decisions) -> {
				Decision shown = null;
				for (Decision decision : decisions) {
					if (!decision.allowed()) {
						return settled(caller, reject(exchange, decision));
					}
					shown = RateLimitHeaders.moreRestrictive(shown, decision);
				}
				if (shown != null) {
					this.headers.write(exchange.getResponse().getHeaders()::set, shown);
				}
				return settled(caller, proceed(exchange, chain));
			}));
	}

	private Mono<Void> proceed(ServerWebExchange exchange, WebFilterChain chain) {
		return chain.filter(exchange)
			.onErrorResume(RateLimitExceededException.class, (ex) -> reject(exchange, ex.getDecision()));
	}

	/**
	 * Run the response, then give back the {@code charge-on-status} charges whose tier
	 * does not count its status; a response that failed keeps them.
	 */
	private Mono<Void> settled(ExchangeCaller caller, Mono<Void> response) {
		return response
			.onErrorResume((ex) -> ReactiveRateLimits.mono(() -> this.checkpoint.settleAsync(caller, 0, true))
				.then(Mono.error(ex)))
			.then(Mono.defer(() -> {
				HttpStatusCode status = caller.exchange().getResponse().getStatusCode();
				int code = (status != null) ? status.value() : 200;
				return ReactiveRateLimits.mono(() -> this.checkpoint.settleAsync(caller, code, false));
			}));
	}

	private Mono<Void> reject(ServerWebExchange exchange, Decision decision) {
		ServerHttpResponse response = exchange.getResponse();
		if (response.isCommitted()) {
			return Mono.error(new RateLimitExceededException(decision));
		}
		ProblemDetail problem = this.problems.create(decision, exchange.getRequest());
		response.setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
		this.headers.write(response.getHeaders()::set, decision);
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		byte[] body = RateLimitProblems.json(problem);
		return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
