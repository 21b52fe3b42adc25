package dev.perfkit.sample.ratelimit;

import java.util.Map;

import dev.perfkit.ratelimit.RateLimit;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import static dev.perfkit.ratelimit.Tiers.AUTH;
import static dev.perfkit.ratelimit.Tiers.PASSWORD_RESET;

/**
 * Login and magic link: the endpoints credential stuffing and reset abuse aim at. Login is
 * limited twice, per client address and per e-mail, so neither many accounts from one
 * address nor one account from many addresses gets through.
 */
@RestController
@RequestMapping("/api/auth")
class AuthController {

	@PostMapping("/login")
	@RateLimit(tier = AUTH)
	@RateLimit(tier = AUTH, key = "#form.email().trim().toLowerCase()")
	ResponseEntity<Map<String, String>> login(@RequestBody LoginForm form) {
		if ("demo@perfkit.dev".equalsIgnoreCase(form.email()) && "demo".equals(form.password())) {
			return ResponseEntity.ok(Map.of("token", "demo-token"));
		}
		return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(Map.of("error", "bad credentials"));
	}

	@PostMapping("/magic-link")
	@RateLimit(tier = PASSWORD_RESET, key = "#form.email().trim().toLowerCase()")
	Map<String, String> magicLink(@RequestBody MagicLinkForm form) {
		return Map.of("sent", "if " + form.email() + " has an account, a link is on its way");
	}

	record LoginForm(String email, String password) {
	}

	record MagicLinkForm(String email) {
	}

}
