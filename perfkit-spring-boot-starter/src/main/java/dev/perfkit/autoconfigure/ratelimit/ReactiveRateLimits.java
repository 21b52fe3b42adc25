package dev.perfkit.autoconfigure.ratelimit;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.perfkit.autoconfigure.ratelimit.KeyResolver.Identity;
import dev.perfkit.ratelimit.Decision;
import dev.perfkit.ratelimit.RateLimit;
import dev.perfkit.ratelimit.RateLimitExceededException;
import org.aopalliance.intercept.MethodInvocation;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.web.server.ServerWebExchange;

/**
 * The reactive side of {@code @RateLimit}: methods returning {@code Mono} or {@code Flux}
 * are limited on subscription, without blocking, and fail with
 * {@link RateLimitExceededException} when rejected (a 429 when it reaches
 * {@link RateLimitWebFilter}). Within a WebFlux request the filter puts the exchange in the
 * Reactor context, so {@code ip}, {@code user} and {@code api-key} keys work here too, and
 * annotations the filter already charged for the handler are not charged again. Loaded
 * only when Reactor is present.
 */
final class ReactiveRateLimits {

	/** The Reactor context key of the current exchange. */
	static final String EXCHANGE = ReactiveRateLimits.class.getName() + ".exchange";

	/** The Reactor context key of the {@link ReactivePlanResolver}. */
	static final String PLANS = ReactiveRateLimits.class.getName() + ".plans";

	private ReactiveRateLimits() {
	}

	/**
	 * Return whether a method's return type is limited reactively.
	 * @param returnType the return type
	 * @return whether it is a {@code Mono} or a {@code Flux}
	 */
	static boolean isReactive(Class<?> returnType) {
		return Mono.class.isAssignableFrom(returnType) || Flux.class.isAssignableFrom(returnType);
	}

	/**
	 * Return whether the current thread must not block (a Reactor or Netty event loop).
	 * @return whether it is non-blocking
	 */
	static boolean onNonBlockingThread() {
		return Schedulers.isInNonBlockingThread();
	}

	/**
	 * Adapt a future, continuing on Reactor's parallel scheduler when it was not complete
	 * yet: a Redis reply completes on Lettuce's event loop, which must not run the caller's
	 * handler. A future that completed at once (a local or shortcut decision) continues on
	 * the calling thread. Cancelling the subscription does not cancel the check.
	 * @param <T> the value type
	 * @param future supplies the future on subscription
	 * @return the mono
	 */
	static <T> Mono<T> mono(Supplier<CompletableFuture<T>> future) {
		return Mono.defer(() -> {
			CompletableFuture<T> started = future.get();
			Mono<T> mono = Mono.fromFuture(started, true);
			return started.isDone() ? mono : mono.publishOn(Schedulers.parallel());
		});
	}

	/**
	 * Limit a reactive method's invocation.
	 * @param checkpoint the checkpoint
	 * @param headers the header writer
	 * @param annotations the method's annotations
	 * @param method the most specific method
	 * @param invocation the invocation
	 * @return a {@code Mono} or {@code Flux} like the method's
	 */
	static Object invoke(Checkpoint checkpoint, RateLimitHeaders headers, List<RateLimit> annotations, Method method,
			MethodInvocation invocation) {
		Object[] args = invocation.getArguments();
		Mono<Void> admitted = Mono.deferContextual((context) -> {
			ServerWebExchange exchange = context.getOrDefault(EXCHANGE, null);
			Mono<ExchangeCaller> caller = (exchange != null)
					? ExchangeCaller.of(exchange, context.getOrDefault(PLANS, null)) : Mono.empty();
			return caller.map(java.util.Optional::of)
				.defaultIfEmpty(java.util.Optional.empty())
				.flatMap((found) -> admit(checkpoint, headers, annotations, method, args, found.orElse(null)));
		});
		if (Flux.class.isAssignableFrom(method.getReturnType())) {
			return admitted.thenMany(Flux.defer(() -> Flux.from(proceed(invocation))));
		}
		return admitted.then(Mono.defer(() -> Mono.from(proceed(invocation))));
	}

	private static Mono<Void> admit(Checkpoint checkpoint, RateLimitHeaders headers, List<RateLimit> annotations,
			Method method, Object[] args, ExchangeCaller caller) {
		boolean handledByFilter = caller != null && method.equals(caller.attribute(RateLimitWebFilter.HANDLED));
		return Flux.fromIterable(annotations)
			.filter((annotation) -> !handledByFilter || checkpoint.needsArguments(annotation))
			.concatMap((annotation) -> decide(checkpoint, annotation, method, args, caller))
			.reduce(Decision.unlimited(null, Decision.Source.EXEMPT), (shown, next) -> {
				Decision more = RateLimitHeaders.moreRestrictive(shown, next);
				return (more != null) ? more : shown;
			})
			.doOnNext((shown) -> {
				// Only a handler's own limits describe the response.
				if (handledByFilter && shown.limited() && !caller.exchange().getResponse().isCommitted()) {
					headers.write(caller.exchange().getResponse().getHeaders()::set, shown);
				}
			})
			.then();
	}

	private static Mono<Decision> decide(Checkpoint checkpoint, RateLimit annotation, Method method, Object[] args,
			ExchangeCaller caller) {
		if (!annotation.maxWait().isEmpty()) {
			Identity identity = checkpoint.identify(annotation, caller, method, args);
			String key = (identity != null) ? identity.key() : "global";
			long deadline = System.nanoTime() + DurationStyle.detectAndParse(annotation.maxWait()).toNanos();
			return acquire(checkpoint, annotation, key, deadline);
		}
		return mono(() -> checkpoint.checkAsync(annotation, caller, method, args)).flatMap((checked) -> {
			if (!checked.decision().allowed()) {
				return Mono.error(new RateLimitExceededException(checked.decision()));
			}
			checkpoint.holdForStatus(annotation, caller, checked);
			return Mono.just(checked.decision());
		});
	}

	/** Wait for a permit without blocking: a timer, not a sleeping thread. */
	private static Mono<Decision> acquire(Checkpoint checkpoint, RateLimit annotation, String key, long deadline) {
		return mono(() -> checkpoint.limiter().checkAsync(annotation.tier(), null, key, annotation.cost()))
			.flatMap((decision) -> {
				if (decision.allowed()) {
					return Mono.just(decision);
				}
				long waitMillis = Math.max(1, decision.retryAfterMillis());
				if (System.nanoTime() + Duration.ofMillis(waitMillis).toNanos() > deadline) {
					return Mono.error(new RateLimitExceededException(decision));
				}
				return Mono.delay(Duration.ofMillis(waitMillis)).then(acquire(checkpoint, annotation, key, deadline));
			});
	}

	private static org.reactivestreams.Publisher<?> proceed(MethodInvocation invocation) {
		try {
			Object result = invocation.proceed();
			return (result != null) ? (org.reactivestreams.Publisher<?>) result : Mono.empty();
		}
		catch (Throwable ex) {
			return Mono.error(ex);
		}
	}

}
