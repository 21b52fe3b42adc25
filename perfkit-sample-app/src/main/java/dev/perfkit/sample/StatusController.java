package dev.perfkit.sample;

import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A landing endpoint that lists what the sample offers.
 */
@RestController
class StatusController {

	@GetMapping("/")
	Map<String, Object> index() {
		return Map.of("app", "perfkit-sample-app", "actuator", "/actuator", "health", "/actuator/health");
	}

}
