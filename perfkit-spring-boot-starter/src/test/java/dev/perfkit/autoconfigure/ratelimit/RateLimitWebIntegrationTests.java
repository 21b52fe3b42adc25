package dev.perfkit.autoconfigure.ratelimit;

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

import dev.perfkit.ratelimit.Decision;
import dev.perfkit.ratelimit.RateLimiter;
import dev.perfkit.test.RedisProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of a web application share limits through a Redis process of the tests'
 * own; requests go over real HTTP.
 */
class RateLimitWebIntegrationTests {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static RedisProcess redis;

	private static ConfigurableApplicationContext first;

	private static ConfigurableApplicationContext second;

	private static ConfigurableApplicationContext behindProxy;

	@BeforeAll
	static void start() {
		redis = RedisProcess.start();
		// The tests are about exactness: a generous command timeout keeps a loaded machine
		// from turning a slow answer into a failure-policy decision.
		first = start("perfkit.rate-limit.trusted-proxies=10.0.0.0/8", "perfkit.redis.command-timeout=10s");
		second = start("perfkit.rate-limit.trusted-proxies=10.0.0.0/8", "perfkit.redis.command-timeout=10s");
		behindProxy = start("perfkit.rate-limit.trusted-proxies=127.0.0.1/32,10.0.0.0/8",
				"perfkit.redis.command-timeout=10s");
		await().atMost(Duration.ofSeconds(20))
			.until(() -> first.getBean(RateLimiter.class).check("standard", null, "probe", 1).source() == Decision.Source.REDIS
					&& second.getBean(RateLimiter.class).check("standard", null, "probe", 1).source() == Decision.Source.REDIS
					&& behindProxy.getBean(RateLimiter.class).check("standard", null, "probe", 1).source() == Decision.Source.REDIS);
	}

	@AfterAll
	static void stop() {
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { first, second, behindProxy }) {
			if (context != null) {
				context.close();
			}
		}
		if (redis != null) {
			redis.close();
		}
	}

	private static ConfigurableApplicationContext start(String... properties) {
		List<String> all = properties(redis.port());
		all.addAll(List.of(properties));
		return new SpringApplicationBuilder(RateLimitTestApplication.class).properties(all.toArray(String[]::new)).run();
	}

	/** The test application's settings, on a Redis server's port. */
	static List<String> properties(int redisPort) {
		return new ArrayList<>(List.of("server.port=0", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + redisPort, "perfkit.rate-limit.headers.reset-format=seconds",
				"perfkit.rate-limit.tiers.per-ip.limits=50/1m", "perfkit.rate-limit.tiers.quotes.limits=2/1h",
				"perfkit.rate-limit.tiers.failed-logins.limits=2/1h",
				"perfkit.rate-limit.tiers.failed-logins.charge-on-status=401",
				"perfkit.rate-limit.tiers.failed-logins-by-email.limits=2/1h",
				"perfkit.rate-limit.tiers.outbound-api.limits=100/1s",
				"perfkit.rate-limit.tiers.hammered.limits=5/1m", "perfkit.rate-limit.tiers.hammered.algorithm=sliding-log",
				"perfkit.rate-limit.tiers.hammered-unseen.limits=5/1m",
				"perfkit.rate-limit.tiers.hammered-unseen.algorithm=sliding-log",
				"perfkit.rate-limit.tiers.failed-logins-by-email.charge-on-status=401",
				"perfkit.rate-limit.tiers.scan.plans.free=10/1h,100/30d",
				"perfkit.rate-limit.tiers.scan.plans.pro=5/1h,2/30d", "perfkit.rate-limit.tiers.scan.key=api-key",
				"perfkit.rate-limit.tiers.scan.default-plan=free",
				"perfkit.rate-limit.tiers.leased.limits=40/1h", "perfkit.rate-limit.tiers.leased.lease.batch=8",
				"perfkit.rate-limit.tiers.leased.lease.duration=10s",
				"perfkit.redis.circuit-breaker.open-duration=200ms"));
	}

	@Test
	void sixtyFourThreadsAcrossTwoInstancesGetExactlyFiveLoginsThrough() throws Exception {
		List<Integer> statuses = sixtyFourAtOnceOnBothInstances("/login", "X-Forwarded-For", "10.1.2.3");
		assertThat(statuses).filteredOn((status) -> status == 200).hasSize(5);
		assertThat(statuses).filteredOn((status) -> status == 429).hasSize(59);
	}

	@Test
	void sixtyFourThreadsAcrossTwoInstancesLeasingPermitsNeverGetMoreThanTheLimitThrough() throws Exception {
		// leased: 40/1h token bucket leasing up to 8 permits per call, three waves of 64 on
		// one key, so that both instances find it hot and lease
		List<Integer> statuses = new ArrayList<>();
		for (int wave = 0; wave < 3; wave++) {
			statuses.addAll(sixtyFourAtOnceOnBothInstances("/leased", "X-Forwarded-For", "10.9.9.9"));
		}
		assertThat(statuses).hasSize(192).allSatisfy((status) -> assertThat(status).isIn(200, 429));
		assertThat(statuses).filteredOn((status) -> status == 200).hasSizeBetween(1, 40);
		assertThat(first.getBean(RateLimiter.class).snapshot().breakerState()).isEqualTo("closed");
	}

	/** Send 64 requests at once from 64 threads, alternating between the two instances. */
	private static List<Integer> sixtyFourAtOnceOnBothInstances(String path, String... headers) throws Exception {
		return sixtyFourAtOnceOnBothInstancesFull(path, headers).stream().map(HttpResponse::statusCode).toList();
	}

	private static List<HttpResponse<String>> sixtyFourAtOnceOnBothInstancesFull(String path, String... headers)
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

	@Test
	void sixtyFourThreadsHammeringALimitedKeyOnTwoInstancesCostRedisAtMostOneCallPerInstanceAndAllGetA429()
			throws Exception {
		// hammered: 5/1m sliding log by ip, the peer 127.0.0.1
		for (int i = 0; i < 5; i++) {
			assertThat(send((i % 2 == 0) ? first : second, "POST", "/hammer").statusCode()).isEqualTo(200);
		}
		// Each instance learns from Redis that the key is limited.
		assertThat(send(first, "POST", "/hammer").statusCode()).isEqualTo(429);
		assertThat(send(second, "POST", "/hammer").statusCode()).isEqualTo(429);
		long firstCalls = redisChecks(first);
		long secondCalls = redisChecks(second);
		try (RedisClient client0 = RedisClient.create("redis://127.0.0.1:" + redis.port());
				StatefulRedisConnection<String, String> connection = client0.connect()) {
			connection.sync().configResetstat();
			List<HttpResponse<String>> responses = sixtyFourAtOnceOnBothInstancesFull("/hammer");
			String stats = connection.sync().info("commandstats");
			// Redis saw no script call at all while 64 requests were rejected: at most one
			// per instance would be allowed (a retry interval is a minute here).
			assertThat(scriptCalls(stats)).isLessThanOrEqualTo(2);
			assertThat(redisChecks(first) - firstCalls).isLessThanOrEqualTo(1);
			assertThat(redisChecks(second) - secondCalls).isLessThanOrEqualTo(1);
			assertThat(responses).hasSize(64).allSatisfy((response) -> {
				assertThat(response.statusCode()).isEqualTo(429);
				assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("5");
				assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
				long retryAfter = Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow());
				assertThat(retryAfter).isBetween(1L, 60L);
				long reset = Long.parseLong(response.headers().firstValue("X-RateLimit-Reset").orElseThrow());
				assertThat(reset).isBetween(retryAfter, 60L);
				assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
				assertThat(response.body()).contains("\"status\":429", "\"tier\":\"hammered\"", "\"limit\":\"5/1m\"",
						"\"retryAfter\":" + retryAfter);
			});
		}
	}

	@Test
	void sixtyFourThreadsHammeringAKeyOneInstanceExhaustedCostRedisAtMostOneCallPerInstanceBeforeEitherSawARejection()
			throws Exception {
		// hammered-unseen: 5/1m sliding log by ip. The first instance takes all five
		// permits and never hears a rejection; the second has never seen the key.
		for (int i = 0; i < 5; i++) {
			assertThat(send(first, "POST", "/hammer-unseen").statusCode()).isEqualTo(200);
		}
		long firstCalls = redisChecks(first);
		long secondCalls = redisChecks(second);
		try (RedisClient client0 = RedisClient.create("redis://127.0.0.1:" + redis.port());
				StatefulRedisConnection<String, String> connection = client0.connect()) {
			connection.sync().configResetstat();
			List<HttpResponse<String>> responses = sixtyFourAtOnceOnBothInstancesFull("/hammer-unseen");
			String stats = connection.sync().info("commandstats");
			// Concurrent first checks on an instance wait for its one call and share its
			// rejection (a retry interval is a minute here).
			assertThat(scriptCalls(stats)).isLessThanOrEqualTo(2);
			assertThat(redisChecks(first) - firstCalls).isLessThanOrEqualTo(1);
			assertThat(redisChecks(second) - secondCalls).isLessThanOrEqualTo(1);
			assertThat(responses).hasSize(64).allSatisfy((response) -> {
				assertThat(response.statusCode()).isEqualTo(429);
				assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("5");
				assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
				long retryAfter = Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow());
				assertThat(retryAfter).isBetween(1L, 60L);
				long reset = Long.parseLong(response.headers().firstValue("X-RateLimit-Reset").orElseThrow());
				assertThat(reset).isBetween(retryAfter, 60L);
				assertThat(response.body()).contains("\"status\":429", "\"tier\":\"hammered-unseen\"",
						"\"retryAfter\":" + retryAfter);
			});
		}
	}

	/** Return how many checks an instance has sent to Redis. */
	private static long redisChecks(ConfigurableApplicationContext context) {
		return context.getBean(MeterRegistry.class).get("perfkit.ratelimit.backend.latency").tag("backend", "redis")
			.timer().count();
	}

	/** Return the EVALSHA and EVAL calls in INFO commandstats. */
	private static long scriptCalls(String stats) {
		long calls = 0;
		for (String line : stats.split("\r?\n")) {
			if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
				String value = line.substring(line.indexOf("calls=") + 6);
				calls += Long.parseLong(value.substring(0, value.indexOf(',')));
			}
		}
		return calls;
	}

	@Test
	void aPlanWithTwoWindowsReportsTheBindingWindowInHeadersAndTheProblemBody() throws Exception {
		HttpResponse<String> firstScan = send(first, "GET", "/scan", "X-API-Key", "pro-key", "X-Plan", "pro");
		assertThat(firstScan.statusCode()).isEqualTo(200);
		// 5/1h leaves 4, 2/30d leaves 1: the month binds; one token of 2/30d takes 15 days
		assertThat(firstScan.headers().firstValue("X-RateLimit-Limit")).hasValue("2");
		assertThat(firstScan.headers().firstValue("X-RateLimit-Remaining")).hasValue("1");
		assertThat(firstScan.headers().firstValue("X-RateLimit-Reset")).hasValue("1296000");
		assertThat(send(second, "GET", "/scan", "X-API-Key", "pro-key", "X-Plan", "pro").statusCode()).isEqualTo(200);

		HttpResponse<String> rejected = send(first, "GET", "/scan", "X-API-Key", "pro-key", "X-Plan", "pro");
		assertThat(rejected.statusCode()).isEqualTo(429);
		assertThat(rejected.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(rejected.headers().firstValue("X-RateLimit-Limit")).hasValue("2");
		assertThat(rejected.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
		// Whatever time e passed since the first scan (Redis's clock, not ours): the empty
		// 2/30d bucket is back to full after 30d - e and has one token after 15d - e, so
		// Retry-After is exactly the reported reset minus 15 days (both rounded up to seconds,
		// 15 days being whole seconds): no assumption on how fast the requests ran.
		long reset = Long.parseLong(rejected.headers().firstValue("X-RateLimit-Reset").orElseThrow());
		assertThat(reset).isBetween(1296001L, 2592000L);
		long retryAfter = reset - 1296000;
		assertThat(rejected.headers().firstValue("Retry-After")).hasValue(Long.toString(retryAfter));
		assertThat(rejected.body()).isEqualTo("{\"type\":\"about:blank\",\"title\":\"Too Many Requests\",\"status\":429,"
				+ "\"detail\":\"Rate limit of tier 'scan' exceeded; retry after " + retryAfter + " seconds.\","
				+ "\"instance\":\"/scan\",\"tier\":\"scan\",\"limit\":\"2/30d\",\"retryAfter\":" + retryAfter + "}");

		HttpResponse<String> free = send(first, "GET", "/scan", "X-API-Key", "free-key", "X-Plan", "free");
		assertThat(free.headers().firstValue("X-RateLimit-Limit")).hasValue("10");
		assertThat(free.headers().firstValue("X-RateLimit-Remaining")).hasValue("9");
		assertThat(free.headers().firstValue("X-RateLimit-Reset")).hasValue("360");
	}

	@Test
	void aSpoofedForwardedForFromAnUntrustedPeerEarnsNoFreshBucket() throws Exception {
		for (int i = 0; i < 5; i++) {
			assertThat(send(first, "POST", "/login-by-email?email=spoof" + i + "@example.com", "X-Forwarded-For",
					"198.51.100." + i).statusCode()).isEqualTo(200);
		}
		// the peer 127.0.0.1 is no trusted proxy: every request counted against 127.0.0.1, so
		// the per-ip tier (50/1m) shows at least these six; a fresh bucket would show 49
		Long remaining = Long.valueOf(send(second, "POST", "/login-by-email?email=other@example.com",
				"X-Forwarded-For", "198.51.100.99").headers().firstValue("X-RateLimit-Remaining").orElseThrow());
		assertThat(remaining).isLessThanOrEqualTo(44);
	}

	@Test
	void behindATrustedProxyTheRightMostUntrustedHopIsTheClient() throws Exception {
		for (int i = 0; i < 5; i++) {
			assertThat(send(behindProxy, "POST", "/login", "X-Forwarded-For", "6.6.6." + i + ", 203.0.113.7, 10.0.0.2")
				.statusCode()).isEqualTo(200);
		}
		HttpResponse<String> sixth = send(behindProxy, "POST", "/login", "X-Forwarded-For", "1.1.1.1, 203.0.113.7");
		assertThat(sixth.statusCode()).isEqualTo(429);
		HttpResponse<String> otherClient = send(behindProxy, "POST", "/login", "X-Forwarded-For", "203.0.113.8");
		assertThat(otherClient.statusCode()).isEqualTo(200);
		assertThat(otherClient.headers().firstValue("X-RateLimit-Remaining")).hasValue("4");
	}

	@Test
	void behindATrustedProxyARotatingForwardedHeaderAdmitsExactlyTheLimit() throws Exception {
		// The proxy (127.0.0.1, trusted) appends the real client to X-Forwarded-For; the
		// client adds its own Forwarded header with a fresh address on every try.
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			statuses.add(send(behindProxy, "POST", "/login", "X-Forwarded-For", "203.0.113.60", "Forwarded",
					"for=198.51.100." + i).statusCode());
		}
		assertThat(statuses).filteredOn((status) -> status == 200).hasSize(5);
		assertThat(statuses).filteredOn((status) -> status == 429).hasSize(7);
	}

	@Test
	void behindATrustedProxyPrependedForwardedForHopsAdmitExactlyTheLimit() throws Exception {
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			statuses.add(send(behindProxy, "POST", "/login", "X-Forwarded-For",
					"198.51.100." + i + ", 10.0.0." + i + ", 203.0.113.61").statusCode());
		}
		assertThat(statuses).filteredOn((status) -> status == 200).hasSize(5);
	}

	@ParameterizedTest
	@ValueSource(strings = { "future", "callable", "deferred", "streaming", "events" })
	void everyAsynchronousHandlerKindIsChargedExactlyOncePerRequest(String kind) throws Exception {
		String client = "203.0.113." + (100 + List.of("future", "callable", "deferred", "streaming", "events").indexOf(kind));
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 7; i++) {
			statuses.add(send(behindProxy, "POST", "/async/" + kind, "X-Forwarded-For", client).statusCode());
		}
		assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429, 429);
	}

	@Test
	void anAsynchronousHandlerOfAChargeOnStatusTierIsRefundedOnSuccessAndChargedOnFailure() throws Exception {
		for (int i = 0; i < 4; i++) {
			assertThat(send(behindProxy, "POST", "/async/failed-sign-in?password=right", "X-Forwarded-For",
					"192.0.2.77").statusCode()).isEqualTo(200);
		}
		assertThat(send(behindProxy, "POST", "/async/failed-sign-in?password=wrong", "X-Forwarded-For", "192.0.2.77")
			.statusCode()).isEqualTo(401);
		assertThat(send(behindProxy, "POST", "/async/failed-sign-in?password=wrong", "X-Forwarded-For", "192.0.2.77")
			.statusCode()).isEqualTo(401);
		assertThat(send(behindProxy, "POST", "/async/failed-sign-in?password=right", "X-Forwarded-For", "192.0.2.77")
			.statusCode()).isEqualTo(429);
	}

	@Test
	void chargeOnStatusWorksForAKeyOverTheMethodsArguments() throws Exception {
		for (int i = 0; i < 4; i++) {
			assertThat(send(first, "POST", "/sign-in-by-email?email=bob@example.com&password=right").statusCode())
				.isEqualTo(200);
		}
		assertThat(send(second, "POST", "/sign-in-by-email?email=bob@example.com&password=wrong").statusCode())
			.isEqualTo(401);
		assertThat(send(first, "POST", "/sign-in-by-email?email=bob@example.com&password=wrong").statusCode())
			.isEqualTo(401);
		assertThat(send(second, "POST", "/sign-in-by-email?email=bob@example.com&password=right").statusCode())
			.isEqualTo(429);
	}

	@Test
	void aSpelKeyOverBoundArgumentsLimitsPerEmailAcrossInstances() throws Exception {
		for (int i = 0; i < 5; i++) {
			ConfigurableApplicationContext instance = (i % 2 == 0) ? first : second;
			assertThat(send(instance, "POST", "/login-by-email?email=Alice@Example.com", "X-Forwarded-For", "x")
				.statusCode()).isEqualTo(200);
		}
		HttpResponse<String> sixth = send(second, "POST", "/login-by-email?email=alice@example.com");
		assertThat(sixth.statusCode()).isEqualTo(429);
		assertThat(sixth.headers().firstValue("Retry-After")).isPresent();
		assertThat(second.getBean(RateLimitTestApplication.Rejections.class).events)
			.anySatisfy((event) -> {
				// hashed: an e-mail address never reaches Redis key names or events in clear
				assertThat(event.getKey()).isEqualTo("spel:" + KeyResolver.sha256("alice@example.com"));
				assertThat(event.getTier()).isEqualTo("auth");
			});
	}

	@Test
	void onlyResponsesWithAChargedStatusConsumeTheTier() throws Exception {
		for (int i = 0; i < 4; i++) {
			assertThat(send(behindProxy, "POST", "/sign-in?password=right", "X-Forwarded-For", "192.0.2.44").statusCode())
				.isEqualTo(200);
		}
		assertThat(send(behindProxy, "POST", "/sign-in?password=wrong", "X-Forwarded-For", "192.0.2.44").statusCode())
			.isEqualTo(401);
		assertThat(send(behindProxy, "POST", "/sign-in?password=wrong", "X-Forwarded-For", "192.0.2.44").statusCode())
			.isEqualTo(401);
		assertThat(send(behindProxy, "POST", "/sign-in?password=right", "X-Forwarded-For", "192.0.2.44").statusCode())
			.isEqualTo(429);
	}

	@Test
	void sixtyFourConcurrentFailedLoginsAcrossTwoInstancesGetNoMoreThanTheLimitThrough() throws Exception {
		// failed-logins is 2/1h charged on 401: every request takes a permit up front and
		// only non-401 responses give it back, so concurrent failures cannot all slip past.
		List<Integer> statuses = sixtyFourAtOnceOnBothInstances("/sign-in?password=wrong");
		assertThat(statuses).filteredOn((status) -> status == 401).hasSize(2);
		assertThat(statuses).filteredOn((status) -> status == 429).hasSize(62);
	}

	@Test
	void aLimitedServiceBeanThrowsATypedExceptionThatBecomesA429() throws Exception {
		assertThat(send(first, "GET", "/quote?symbol=ACME").statusCode()).isEqualTo(200);
		assertThat(send(second, "GET", "/quote?symbol=ACME").statusCode()).isEqualTo(200);
		HttpResponse<String> third = send(first, "GET", "/quote?symbol=ACME");
		assertThat(third.statusCode()).isEqualTo(429);
		assertThat(third.body()).contains("\"tier\":\"quotes\"");
		assertThat(send(first, "GET", "/quote?symbol=OTHER").statusCode()).isEqualTo(200);
		assertThat(first.getBean(MeterRegistry.class).get("perfkit.ratelimit.requests").tag("tier", "quotes")
			.tag("outcome", "rejected").functionCounter().count()).isEqualTo(1);
	}

	@Test
	void anOutboundTiersFiguresAreNotWrittenOntoTheInboundResponse() throws Exception {
		HttpResponse<String> response = send(first, "GET", "/outbound");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("fetched");
		assertThat(response.headers().firstValue("X-RateLimit-Limit")).isEmpty();
		assertThat(response.headers().firstValue("X-RateLimit-Remaining")).isEmpty();
	}

	@Test
	void unannotatedEndpointsCarryNoRateLimitHeaders() throws Exception {
		HttpResponse<String> response = send(first, "GET", "/free");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-RateLimit-Limit")).isEmpty();
	}

	static HttpResponse<String> send(ConfigurableApplicationContext context, String method, String path,
			String... headers) throws Exception {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.method(method, HttpRequest.BodyPublishers.noBody());
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
