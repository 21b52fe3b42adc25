package dev.perfkit.sample.ratelimit;

import java.util.Map;

import dev.perfkit.ratelimit.RateLimit;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Incoming webhooks: 20 per minute per source (tier {@code webhooks} in
 * {@code sample-rate-limit.yml}).
 */
@RestController
class WebhookController {

	@PostMapping("/api/webhooks/{source}")
	@RateLimit(tier = "webhooks", key = "#source")
	Map<String, String> receive(@PathVariable String source) {
		return Map.of("accepted", source);
	}

}
