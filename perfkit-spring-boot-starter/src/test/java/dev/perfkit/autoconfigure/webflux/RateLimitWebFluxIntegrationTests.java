package dev.perfkit.autoconfigure.webflux;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import dev.perfkit.autoconfigure.ratelimit.ReactivePlanResolver;
import dev.perfkit.ratelimit.Decision;
import dev.perfkit.ratelimit.RateLimit;
import dev.perfkit.ratelimit.RateLimiter;
import dev.perfkit.ratelimit.Tiers;
import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @RateLimit} on WebFlux: two reactive instances on random ports share limits
 * through the test Redis ({@code PERFKIT_TEST_REDIS_PORT}); requests go over real HTTP.
 * The application lives outside the servlet tests' package, so their component scan never
 * sees it.
 */
class RateLimitWebFluxIntegrationTests {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static ConfigurableApplicationContext first;

	private static ConfigurableApplicationContext second;

	private static ConfigurableApplicationContext behindProxy;

	private static ConfigurableApplicationContext redisDown;

	@BeforeAll
	static void start() {
		RedisEndpoint redis = TestRedis.get();
		redis.flushAll();
		// A generous command timeout keeps a loaded machine from turning a slow answer into
		// a failure-policy decision: these tests are about exactness.
		first = start(redis.port(), "perfkit.rate-limit.trusted-proxies=10.0.0.0/8");
		second = start(redis.port(), "perfkit.rate-limit.trusted-proxies=10.0.0.0/8");
		behindProxy = start(redis.port(), "perfkit.rate-limit.trusted-proxies=127.0.0.1/32");
		redisDown = start(unusedPort(), "perfkit.rate-limit.trusted-proxies=10.0.0.0/8");
		await().atMost(Duration.ofSeconds(20)).until(() -> onRedis(first) && onRedis(second) && onRedis(behindProxy));
	}

	private static int unusedPort() {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private static boolean onRedis(ConfigurableApplicationContext context) {
		return context.getBean(RateLimiter.class).check("standard", null, "probe", 1).source() == Decision.Source.REDIS;
	}

	@AfterAll
	static void stop() {
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { first, second, behindProxy,
				redisDown }) {
			if (context != null) {
				context.close();
			}
		}
	}

	private static ConfigurableApplicationContext start(int redisPort, String... extra) {
		List<String> properties = new ArrayList<>(List.of("server.port=0", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + redisPort, "perfkit.redis.command-timeout=10s",
				"perfkit.redis.circuit-breaker.open-duration=200ms", "perfkit.rate-limit.headers.reset-format=seconds",
				"perfkit.rate-limit.tiers.per-user.limits=2/1h", "perfkit.rate-limit.tiers.per-user.key=user",
				"perfkit.rate-limit.tiers.per-key.limits=2/1h", "perfkit.rate-limit.tiers.per-key.key=api-key",
				"perfkit.rate-limit.tiers.quotes.limits=2/1h",
				"perfkit.rate-limit.tiers.failed-attempts.limits=2/1h",
				"perfkit.rate-limit.tiers.failed-attempts.key=api-key",
				"perfkit.rate-limit.tiers.failed-attempts.charge-on-status=401",
				"perfkit.rate-limit.tiers.closed.limits=100/1h", "perfkit.rate-limit.tiers.closed.failure-policy=deny",
				"perfkit.rate-limit.tiers.open.limits=100/1h", "perfkit.rate-limit.tiers.open.failure-policy=allow",
				"perfkit.rate-limit.tiers.planned.key=user", "perfkit.rate-limit.tiers.planned.default-plan=free",
				"perfkit.rate-limit.tiers.planned.plans.free=1/1h", "perfkit.rate-limit.tiers.planned.plans.pro=3/1h"));
		properties.addAll(List.of(extra));
		return new SpringApplicationBuilder(WebFluxApplication.class).web(WebApplicationType.REACTIVE)
			.properties(properties.toArray(String[]::new))
			.run();
	}

	@Test
	void sixtyFourConcurrentRequestsAcrossTwoInstancesGetExactlyFiveLoginsThroughAndCorrect429s() throws Exception {
		// AUTH: 5/1m by ip. The peer 127.0.0.1 is no trusted proxy, so the forged header
		// is ignored and every request is the same client.
		List<HttpResponse<String>> responses = sixtyFourAtOnceOnBothInstances("/login", "X-Forwarded-For",
				"10.1.2.3");
		assertThat(responses).filteredOn((response) -> response.statusCode() == 200).hasSize(5)
			.allSatisfy((response) -> assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("5"));
		assertThat(responses).filteredOn((response) -> response.statusCode() == 429).hasSize(59)
			.allSatisfy(RateLimitWebFluxIntegrationTests::isAuthProblem);
	}

	private static void isAuthProblem(HttpResponse<String> response) {
		assertThat(response.statusCode()).isEqualTo(429);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(response.headers().firstValue("Retry-After")).hasValueSatisfying(
				(seconds) -> assertThat(Long.parseLong(seconds)).isBetween(1L, 60L));
		assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("5");
		assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
		assertThat(response.headers().firstValue("X-RateLimit-Reset")).isPresent();
		assertThat(response.body()).contains("\"title\":\"Too Many Requests\"", "\"status\":429",
				"\"tier\":\"auth\"", "\"limit\":\"5/1m\"", "\"instance\":\"/login\"", "\"retryAfter\":");
	}

	@Test
	void behindATrustedProxyARotatingForwardedHeaderAdmitsExactlyTheLimit() throws Exception {
		// The proxy (127.0.0.1, trusted) appends the real client to X-Forwarded-For, the
		// configured header; the client rotates a Forwarded header of its own.
		List<Integer> statuses = new ArrayList<>();
		for (int n = 1; n <= 12; n++) {
			statuses.add(send(behindProxy, "POST", "/login", "Forwarded", "for=198.51.100." + n,
					"X-Forwarded-For", "203.0.113.9").statusCode());
		}
		assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429, 429, 429, 429, 429, 429, 429);
		// Another client behind the same proxy has its own allowance.
		assertThat(send(behindProxy, "POST", "/login", "X-Forwarded-For", "203.0.113.10").statusCode())
			.isEqualTo(200);
	}

	@Test
	void userKeysComeFromTheReactiveSecurityContext() throws Exception {
		assertThat(send(first, "GET", "/me", "X-Test-User", "alice").statusCode()).isEqualTo(200);
		assertThat(send(second, "GET", "/me", "X-Test-User", "alice").statusCode()).isEqualTo(200);
		HttpResponse<String> third = send(first, "GET", "/me", "X-Test-User", "alice");
		assertThat(third.statusCode()).isEqualTo(429);
		assertThat(third.body()).contains("\"tier\":\"per-user\"");
		assertThat(send(second, "GET", "/me", "X-Test-User", "bob").statusCode()).isEqualTo(200);
	}

	@Test
	void apiKeysComeFromTheHeader() throws Exception {
		assertThat(send(first, "GET", "/scan", "X-API-Key", "k-1").statusCode()).isEqualTo(200);
		assertThat(send(second, "GET", "/scan", "X-API-Key", "k-1").statusCode()).isEqualTo(200);
		assertThat(send(first, "GET", "/scan", "X-API-Key", "k-1").statusCode()).isEqualTo(429);
		assertThat(send(first, "GET", "/scan", "X-API-Key", "k-2").statusCode()).isEqualTo(200);
	}

	@Test
	void aReactiveServiceMethodIsLimitedByItsArgumentsAndRejectedWithTheSameProblem() throws Exception {
		assertThat(send(first, "GET", "/quote/ACME").body()).isEqualTo("quote ACME");
		assertThat(send(second, "GET", "/quote/ACME").statusCode()).isEqualTo(200);
		HttpResponse<String> third = send(first, "GET", "/quote/ACME");
		assertThat(third.statusCode()).isEqualTo(429);
		assertThat(third.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(third.headers().firstValue("Retry-After")).isPresent();
		assertThat(third.body()).contains("\"tier\":\"quotes\"", "\"instance\":\"/quote/ACME\"");
		assertThat(send(first, "GET", "/quote/OTHER").statusCode()).isEqualTo(200);
		// A Flux is limited on subscription too: the symbols share the same tier and keys.
		assertThat(send(first, "GET", "/quotes/ACME").statusCode()).isEqualTo(429);
	}

	@Test
	void aChargeOnStatusTierCountsOnlyResponsesWithItsStatusAcrossInstances() throws Exception {
		// Successes are charged up front and refunded once their status is known.
		for (int i = 0; i < 6; i++) {
			assertThat(send((i % 2 == 0) ? first : second, "GET", "/attempt", "X-API-Key", "cos").statusCode())
				.isEqualTo(200);
		}
		assertThat(send(first, "GET", "/attempt?fail=true", "X-API-Key", "cos").statusCode()).isEqualTo(401);
		assertThat(send(second, "GET", "/attempt?fail=true", "X-API-Key", "cos").statusCode()).isEqualTo(401);
		HttpResponse<String> third = send(first, "GET", "/attempt?fail=true", "X-API-Key", "cos");
		assertThat(third.statusCode()).isEqualTo(429);
		assertThat(third.body()).contains("\"tier\":\"failed-attempts\"");
		// The two failures used the allowance up: a success now is rejected too.
		assertThat(send(second, "GET", "/attempt", "X-API-Key", "cos").statusCode()).isEqualTo(429);
	}

	@Test
	void aReactivePlanResolverPicksEachCallersLimitsOnHandlersAndServiceMethods() throws Exception {
		// The application's ReactivePlanResolver answers "pro" for users named pro-*, from
		// another thread, and nothing (the default plan, free: 1/1h) for the others.
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> admitted = send((i % 2 == 0) ? first : second, "GET", "/planned", "X-Test-User",
					"pro-ann");
			assertThat(admitted.statusCode()).isEqualTo(200);
			assertThat(admitted.headers().firstValue("X-RateLimit-Limit")).hasValue("3");
		}
		HttpResponse<String> overPro = send(first, "GET", "/planned", "X-Test-User", "pro-ann");
		assertThat(overPro.statusCode()).isEqualTo(429);
		assertThat(overPro.body()).contains("\"tier\":\"planned\"", "\"limit\":\"3/1h\"");
		HttpResponse<String> free = send(second, "GET", "/planned", "X-Test-User", "bob");
		assertThat(free.statusCode()).isEqualTo(200);
		assertThat(free.headers().firstValue("X-RateLimit-Limit")).hasValue("1");
		assertThat(send(first, "GET", "/planned", "X-Test-User", "bob").statusCode()).isEqualTo(429);
		// A reactive service method limited in the same request sees the same plan.
		for (int i = 0; i < 3; i++) {
			assertThat(send(first, "GET", "/planned-quote", "X-Test-User", "pro-cat").statusCode()).isEqualTo(200);
		}
		HttpResponse<String> overService = send(second, "GET", "/planned-quote", "X-Test-User", "pro-cat");
		assertThat(overService.statusCode()).isEqualTo(429);
		assertThat(overService.body()).contains("\"limit\":\"3/1h\"");
		assertThat(first.getBean(PlanLookups.class).count.get()).isPositive();
	}

	@Test
	void whileRedisCannotAnswerEachTiersFailurePolicyDecides() throws Exception {
		HttpResponse<String> closed = send(redisDown, "GET", "/closed");
		assertThat(closed.statusCode()).isEqualTo(429);
		assertThat(closed.headers().firstValue("Retry-After")).hasValue("1");
		assertThat(closed.body()).contains("\"tier\":\"closed\"");
		assertThat(send(redisDown, "GET", "/open").statusCode()).isEqualTo(200);
	}

	/** Send 64 requests at once from 64 threads, alternating between the two instances. */
	private static List<HttpResponse<String>> sixtyFourAtOnceOnBothInstances(String path, String... headers)
			throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(64);
		try {
			CountDownLatch go = new CountDownLatch(1);
			List<Future<HttpResponse<String>>> futures = new ArrayList<>();
			for (int i = 0; i < 64; i++) {
				ConfigurableApplicationContext instance = (i % 2 == 0) ? first : second;
				futures.add(pool.submit(() -> {
					go.await();
					return send(instance, "POST", path, headers);
				}));
			}
			go.countDown();
			List<HttpResponse<String>> responses = new ArrayList<>();
			for (Future<HttpResponse<String>> future : futures) {
				responses.add(future.get());
			}
			return responses;
		}
		finally {
			pool.shutdownNow();
		}
	}

	private static HttpResponse<String> send(ConfigurableApplicationContext context, String method, String path,
			String... headers) throws Exception {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.method(method, HttpRequest.BodyPublishers.noBody());
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration(excludeName = {
			"org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration" })
	@Import({ Endpoints.class, Quotes.class })
	static class WebFluxApplication {

		@Bean
		PlanLookups planLookups() {
			return new PlanLookups();
		}

		/** Looks the plan up off the calling thread, as a reactive user store would. */
		@Bean
		ReactivePlanResolver planResolver(PlanLookups lookups) {
			return (principal, exchange) -> Mono.fromCallable(() -> {
				lookups.count.incrementAndGet();
				return (principal != null && principal.getName().startsWith("pro-")) ? "pro" : null;
			}).subscribeOn(Schedulers.boundedElastic());
		}

		/** Stands in for Spring Security: authenticates the user named by a header. */
		@Bean
		@Order(-100)
		WebFilter testAuthentication() {
			return (exchange, chain) -> {
				String user = exchange.getRequest().getHeaders().getFirst("X-Test-User");
				return (user != null) ? chain.filter(exchange)
					.contextWrite(ReactiveSecurityContextHolder
						.withAuthentication(new TestingAuthenticationToken(user, null, "ROLE_USER")))
						: chain.filter(exchange);
			};
		}

	}

	@RestController
	static class Endpoints {

		private final Quotes quotes;

		Endpoints(Quotes quotes) {
			this.quotes = quotes;
		}

		@PostMapping("/login")
		@RateLimit(tier = Tiers.AUTH)
		Mono<String> login() {
			return Mono.just("welcome");
		}

		@GetMapping("/me")
		@RateLimit(tier = "per-user")
		String me() {
			return "me";
		}

		@GetMapping("/scan")
		@RateLimit(tier = "per-key")
		Mono<String> scan() {
			return Mono.just("scanned");
		}

		@GetMapping("/quote/{symbol}")
		Mono<String> quote(@PathVariable String symbol) {
			return this.quotes.quote(symbol);
		}

		@GetMapping("/quotes/{symbol}")
		Flux<String> quotes(@PathVariable String symbol) {
			return this.quotes.all(symbol);
		}

		@GetMapping("/attempt")
		@RateLimit(tier = "failed-attempts")
		Mono<ResponseEntity<String>> attempt(@RequestParam(defaultValue = "false") boolean fail) {
			return Mono.just(fail ? ResponseEntity.status(HttpStatus.UNAUTHORIZED).body("no")
					: ResponseEntity.ok("yes"));
		}

		@GetMapping("/planned")
		@RateLimit(tier = "planned")
		Mono<String> planned() {
			return Mono.just("planned");
		}

		@GetMapping("/planned-quote")
		Mono<String> plannedQuote() {
			return this.quotes.planned();
		}

		@GetMapping("/closed")
		@RateLimit(tier = "closed")
		Mono<String> closed() {
			return Mono.just("closed");
		}

		@GetMapping("/open")
		@RateLimit(tier = "open")
		Mono<String> open() {
			return Mono.just("open");
		}

	}

	static class PlanLookups {

		final AtomicInteger count = new AtomicInteger();

	}

	static class Quotes {

		@RateLimit(tier = "quotes", key = "#symbol")
		public Mono<String> quote(String symbol) {
			return Mono.just("quote " + symbol);
		}

		@RateLimit(tier = "quotes", key = "#symbol")
		public Flux<String> all(String symbol) {
			return Flux.just("quote " + symbol);
		}

		@RateLimit(tier = "planned")
		public Mono<String> planned() {
			return Mono.just("planned quote");
		}

	}

}
