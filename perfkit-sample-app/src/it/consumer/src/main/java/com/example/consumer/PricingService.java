package com.example.consumer;

import java.math.BigDecimal;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

@Service
public class PricingService {

	private final AtomicInteger computations = new AtomicInteger();

	@Cacheable("pricing")
	public Pricing pricing(String plan) {
		this.computations.incrementAndGet();
		return new Pricing(plan, "pro".equals(plan) ? new BigDecimal("49.00") : new BigDecimal("19.00"));
	}

	public int computations() {
		return this.computations.get();
	}

}
