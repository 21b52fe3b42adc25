package dev.perfkit.sample.cache;

import java.math.BigDecimal;
import java.util.List;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/**
 * The plan price list, cached for an hour.
 */
@Service
public class PricingService {

	@Cacheable("pricing")
	public List<PlanPrice> prices() {
		return List.of(new PlanPrice("basic", new BigDecimal("19.00"), 1_000),
				new PlanPrice("pro", new BigDecimal("49.00"), 5_000),
				new PlanPrice("enterprise", new BigDecimal("199.00"), 50_000));
	}

}
