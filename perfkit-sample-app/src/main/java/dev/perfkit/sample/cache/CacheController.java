package dev.perfkit.sample.cache;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The cached endpoints. With {@code perfkit.cache.status-header.enabled} each response
 * says {@code X-Cache-Status: HIT} or {@code MISS}.
 */
@RestController
@RequestMapping("/api")
class CacheController {

	private final AgentStatisticsService statistics;

	private final PricingService pricing;

	private final CreditService credits;

	CacheController(AgentStatisticsService statistics, PricingService pricing, CreditService credits) {
		this.statistics = statistics;
		this.pricing = pricing;
		this.credits = credits;
	}

	@GetMapping("/agents/{agentId}/statistics")
	AgentStatistics statistics(@PathVariable String agentId) {
		return this.statistics.statistics(agentId);
	}

	@GetMapping("/pricing")
	List<PlanPrice> pricing() {
		return this.pricing.prices();
	}

	@GetMapping("/accounts/{accountId}/credits")
	Map<String, Object> balance(@PathVariable String accountId) {
		return Map.of("account", accountId, "credits", this.credits.balance(accountId));
	}

	@PostMapping("/accounts/{accountId}/credits")
	Map<String, Object> add(@PathVariable String accountId, @RequestParam long amount) {
		this.credits.add(accountId, amount);
		return balance(accountId);
	}

}
