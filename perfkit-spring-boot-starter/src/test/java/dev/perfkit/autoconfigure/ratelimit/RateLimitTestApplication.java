package dev.perfkit.autoconfigure.ratelimit;

import java.util.List;
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

	@RestController
	static class Endpoints {

		private final Quotes quotes;

		Endpoints(Quotes quotes) {
			this.quotes = quotes;
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

		@GetMapping("/update")
		@RateLimit(tier = STANDARD)
		String update() {
			return "updated";
		}

		@GetMapping("/quote")
		String quote(@RequestParam String symbol) {
			return this.quotes.quote(symbol);
		}

		@GetMapping("/free")
		String free() {
			return "free";
		}

	}

}
