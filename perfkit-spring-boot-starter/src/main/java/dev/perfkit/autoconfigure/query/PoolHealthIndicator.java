package dev.perfkit.autoconfigure.query;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.perfkit.pool.PoolInsight;
import dev.perfkit.pool.PoolSnapshot;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Pool health read from each HikariCP pool's MXBean: never borrows a connection, so it
 * answers when the pool is exhausted. Reports {@code SATURATED} when a pool reached the
 * saturation threshold or has threads waiting with every connection in use.
 */
final class PoolHealthIndicator extends AbstractHealthIndicator {

	/** A pool is saturated: the application works, slowly, and callers queue. */
	static final Status SATURATED = new Status("SATURATED", "Every connection is in use and callers wait");

	private final PoolInsight pools;

	private final PerfkitQueryProperties.Pool thresholds;

	PoolHealthIndicator(PoolInsight pools, PerfkitQueryProperties.Pool thresholds) {
		super("Pool health check failed");
		this.pools = pools;
		this.thresholds = thresholds;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		boolean saturated = false;
		for (PoolSnapshot pool : this.pools.snapshots()) {
			boolean poolSaturated = pool.saturated(this.thresholds.getSaturationThreshold(),
					this.thresholds.getWaitingThreshold());
			saturated |= poolSaturated;
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("status", poolSaturated ? SATURATED.getCode() : (pool.started() ? "UP" : "NOT_STARTED"));
			details.put("active", pool.active());
			details.put("idle", pool.idle());
			details.put("total", pool.total());
			details.put("maximum", pool.maximum());
			details.put("waiting", pool.waiting());
			details.put("saturation", pool.saturation());
			details.put("peakActive", pool.peakActive());
			details.put("leakSuspects", pool.leakSuspects().size());
			details.put("hints", pool.hints());
			builder.withDetail(pool.pool(), details);
		}
		builder.status(saturated ? SATURATED : Status.UP);
	}

}
