package com.example.consumer;

import dev.perfkit.ratelimit.RateLimit;
import dev.perfkit.ratelimit.Tiers;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class AuthController {

	@PostMapping("/login")
	@RateLimit(tier = Tiers.AUTH)
	ResponseEntity<Session> login(@RequestBody Credentials credentials) {
		if ("demo".equals(credentials.password())) {
			return ResponseEntity.ok(new Session("token-for-" + credentials.email()));
		}
		return ResponseEntity.status(HttpStatus.UNAUTHORIZED).build();
	}

	record Credentials(String email, String password) {
	}

	record Session(String token) {
	}

}
