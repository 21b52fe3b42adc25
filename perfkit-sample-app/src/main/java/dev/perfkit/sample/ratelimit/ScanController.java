package dev.perfkit.sample.ratelimit;

import java.util.Map;

import dev.perfkit.autoconfigure.ratelimit.PlanResolver;
import dev.perfkit.ratelimit.RateLimit;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A metered scan, sold by plan: FREE 10 per hour and 100 per 30 days, PRO 500 per hour and
 * 50,000 per 30 days, keyed by API key.
 */
@RestController
class ScanController {

	@PostMapping("/api/scans")
	@RateLimit(tier = "scan")
	Map<String, String> scan() {
		return Map.of("status", "queued");
	}

	/**
	 * The sample's plans: a real application looks the plan up by the caller's account;
	 * here the API key's prefix names it ({@code pro-...} or anything else for free).
	 */
	@Configuration(proxyBeanMethods = false)
	static class Plans {

		@Bean
		PlanResolver planResolver() {
			return (principal, request) -> {
				String key = (request != null) ? request.getHeader("X-API-Key") : null;
				return (key != null && key.startsWith("pro-")) ? "pro" : "free";
			};
		}

	}

}
