package com.example.consumer;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
class PricingController {

	private final PricingService pricing;

	PricingController(PricingService pricing) {
		this.pricing = pricing;
	}

	@GetMapping("/pricing/{plan}")
	Pricing pricing(@PathVariable String plan) {
		return this.pricing.pricing(plan);
	}

}
