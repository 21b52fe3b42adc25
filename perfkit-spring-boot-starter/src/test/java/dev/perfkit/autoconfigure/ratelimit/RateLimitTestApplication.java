package dev.perfkit.autoconfigure.ratelimit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.perfkit.ratelimit.RateLimit;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import static dev.perfkit.ratelimit.Tiers.AUTH;
import static dev.perfkit.ratelimit.Tiers.STANDARD;

/**
 * A small web application for the rate-limit integration tests.
 */
@SpringBootApplication(excludeName = { "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration" })
class RateLimitTestApplication {

	@Bean
	PlanResolver planFromHeader() {
		return (principal, request) -> (request != null) ? request.getHeader("X-Plan") : null;
	}

	@Bean
	Rejections rejections() {
		return new Rejections();
	}

	static class Rejections {

		final List<RateLimitRejectedEvent> events = new CopyOnWriteArrayList<>();

		@EventListener
		void on(RateLimitRejectedEvent event) {
			this.events.add(event);
		}

	}

	@Service
	static class Quotes {

		@RateLimit(tier = "quotes", key = "#symbol")
		String quote(String symbol) {
			return symbol + ":42";
		}

	}

	@Service
	static class Outbound {

		@RateLimit(tier = "outbound-api", key = "'github'", maxWait = "2s")
		String fetch() {
			return "fetched";
		}

	}

	@RestController
	static class Endpoints {

		private final Quotes quotes;

		private final Outbound outbound;

		Endpoints(Quotes quotes, Outbound outbound) {
			this.quotes = quotes;
			this.outbound = outbound;
		}

		@GetMapping("/outbound")
		String outbound() {
			return this.outbound.fetch();
		}

		@PostMapping("/login")
		@RateLimit(tier = AUTH)
		String login() {
			return "ok";
		}

		@PostMapping("/login-by-email")
		@RateLimit(tier = AUTH, key = "#email.toLowerCase()")
		@RateLimit(tier = "per-ip")
		String loginByEmail(@RequestParam String email) {
			return "ok " + email;
		}

		@PostMapping("/sign-in")
		@RateLimit(tier = "failed-logins")
		ResponseEntity<String> signIn(@RequestParam String password) {
			return "right".equals(password) ? ResponseEntity.ok("welcome") : ResponseEntity.status(401).body("no");
		}

		@GetMapping("/scan")
		@RateLimit(tier = "scan")
		String scan() {
			return "scanned";
		}

		@PostMapping("/leased")
		@RateLimit(tier = "leased")
		String leased() {
			return "leased";
		}

		@GetMapping("/update")
		@RateLimit(tier = STANDARD)
		String update() {
			return "updated";
		}

		@GetMapping("/quote")
		String quote(@RequestParam String symbol) {
			return this.quotes.quote(symbol);
		}

		@PostMapping("/async/future")
		@RateLimit(tier = AUTH)
		CompletableFuture<String> future() {
			return CompletableFuture.supplyAsync(() -> "ok");
		}

		@PostMapping("/async/callable")
		@RateLimit(tier = AUTH)
		Callable<String> callable() {
			return () -> "ok";
		}

		@PostMapping("/async/deferred")
		@RateLimit(tier = AUTH)
		DeferredResult<String> deferred() {
			DeferredResult<String> result = new DeferredResult<>();
			CompletableFuture.runAsync(() -> result.setResult("ok"));
			return result;
		}

		@PostMapping("/async/streaming")
		@RateLimit(tier = AUTH)
		StreamingResponseBody streaming() {
			return (out) -> out.write("ok".getBytes(StandardCharsets.UTF_8));
		}

		@PostMapping("/async/events")
		@RateLimit(tier = AUTH)
		SseEmitter events() {
			SseEmitter emitter = new SseEmitter();
			CompletableFuture.runAsync(() -> {
				try {
					emitter.send("ok");
					emitter.complete();
				}
				catch (java.io.IOException ex) {
					emitter.completeWithError(ex);
				}
			});
			return emitter;
		}

		@PostMapping("/async/failed-sign-in")
		@RateLimit(tier = "failed-logins")
		CompletableFuture<ResponseEntity<String>> asyncSignIn(@RequestParam String password) {
			return CompletableFuture.supplyAsync(() -> "right".equals(password) ? ResponseEntity.ok("welcome")
					: ResponseEntity.status(401).body("no"));
		}

		@PostMapping("/sign-in-by-email")
		@RateLimit(tier = "failed-logins-by-email", key = "#email")
		ResponseEntity<String> signInByEmail(@RequestParam String email, @RequestParam String password) {
			return "right".equals(password) ? ResponseEntity.ok("welcome") : ResponseEntity.status(401).body("no");
		}

		@PostMapping("/hammer")
		@RateLimit(tier = "hammered")
		String hammer() {
			return "ok";
		}

		@PostMapping("/hammer-unseen")
		@RateLimit(tier = "hammered-unseen")
		String hammerUnseen() {
			return "ok";
		}

		@GetMapping("/free")
		String free() {
			return "free";
		}

	}

}
