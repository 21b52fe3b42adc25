package dev.perfkit.autoconfigure.observability;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import dev.perfkit.report.BreakerState;
import dev.perfkit.report.PerformanceReport;
import dev.perfkit.report.PerformanceReportEngine;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of one capability's Redis side, read from its breaker gauge and its Redis
 * connection: {@code UP} while the breaker is closed and the connection usable,
 * {@code DEGRADED} while the breaker is open or half-open or the connection is unusable
 * (the capability keeps serving from its local fallback, so this is not {@code DOWN}),
 * {@code UNKNOWN} when neither is known (the capability runs without Redis or is not in
 * use).
 */
final class RemoteBreakerHealthIndicator implements HealthIndicator {

	static final Status DEGRADED = new Status("DEGRADED");

	private final PerformanceReportEngine engine;

	private final Function<PerformanceReport, BreakerState> breaker;

	private final Function<PerformanceReport, Map<String, Object>> sectionDetails;

	private final Function<PerformanceReport, Map<String, Object>> details;

	RemoteBreakerHealthIndicator(PerformanceReportEngine engine, Function<PerformanceReport, BreakerState> breaker,
			Function<PerformanceReport, Map<String, Object>> sectionDetails,
			Function<PerformanceReport, Map<String, Object>> details) {
		this.engine = engine;
		this.breaker = breaker;
		this.sectionDetails = sectionDetails;
		this.details = details;
	}

	@Override
	public Health health() {
		PerformanceReport report = this.engine.report();
		BreakerState state = this.breaker.apply(report);
		Object redis = this.sectionDetails.apply(report).get(RedisConnectionsReportContributor.DETAIL);
		Boolean available = (redis instanceof Map<?, ?> connection) ? (Boolean) connection.get("available") : null;
		Health.Builder health;
		if (state.isTripped() || Boolean.FALSE.equals(available)) {
			health = Health.status(DEGRADED);
		}
		else if (state == BreakerState.CLOSED || Boolean.TRUE.equals(available)) {
			health = Health.up();
		}
		else {
			health = Health.unknown();
		}
		health.withDetail("breaker", state.name().toLowerCase(Locale.ROOT).replace('_', '-'));
		if (redis != null) {
			health.withDetail("redis", redis);
		}
		return health.withDetails(this.details.apply(report)).build();
	}

}
