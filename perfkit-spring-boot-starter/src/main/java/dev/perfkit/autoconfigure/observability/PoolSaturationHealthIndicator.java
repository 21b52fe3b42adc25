package dev.perfkit.autoconfigure.observability;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.perfkit.report.PerformanceReportEngine;
import dev.perfkit.report.PoolSection;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the connection pools: {@code DEGRADED} when a pool's pressure reaches the
 * saturation threshold ({@code perfkit.report.pool-saturation}), {@code UP} otherwise,
 * {@code UNKNOWN} without pools. Boot's {@code db} indicator already says whether the
 * database answers; this one says whether the pool keeps up.
 */
final class PoolSaturationHealthIndicator implements HealthIndicator {

	private final PerformanceReportEngine engine;

	private final double threshold;

	PoolSaturationHealthIndicator(PerformanceReportEngine engine, double threshold) {
		this.engine = engine;
		this.threshold = threshold;
	}

	@Override
	public Health health() {
		Map<String, Object> pools = new LinkedHashMap<>();
		boolean saturated = false;
		for (PoolSection.Pool pool : this.engine.report().pool().pools()) {
			saturated |= pool.pressure() >= this.threshold;
			pools.put(pool.name(), Map.of("active", pool.active(), "max", pool.max(), "pending", pool.pending(),
					"pressure", pool.pressure()));
		}
		Health.Builder health = pools.isEmpty() ? Health.unknown()
				: saturated ? Health.status(RemoteBreakerHealthIndicator.DEGRADED) : Health.up();
		return health.withDetail("threshold", this.threshold).withDetail("pools", pools).build();
	}

}
