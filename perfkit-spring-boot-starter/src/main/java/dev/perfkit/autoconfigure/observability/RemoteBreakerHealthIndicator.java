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
 * Health of one capability's Redis side, read from its breaker gauge: {@code UP} while
 * the breaker is closed, {@code DEGRADED} while it is open or half-open (the capability
 * keeps serving from its local fallback, so this is not {@code DOWN}), {@code UNKNOWN}
 * when no breaker is registered (the capability runs without Redis or is not in use).
 */
final class RemoteBreakerHealthIndicator implements HealthIndicator {

	static final Status DEGRADED = new Status("DEGRADED");

	private final PerformanceReportEngine engine;

	private final Function<PerformanceReport, BreakerState> breaker;

	private final Function<PerformanceReport, Map<String, Object>> details;

	RemoteBreakerHealthIndicator(PerformanceReportEngine engine, Function<PerformanceReport, BreakerState> breaker,
			Function<PerformanceReport, Map<String, Object>> details) {
		this.engine = engine;
		this.breaker = breaker;
		this.details = details;
	}

	@Override
	public Health health() {
		PerformanceReport report = this.engine.report();
		BreakerState state = this.breaker.apply(report);
		Health.Builder health = switch (state) {
			case CLOSED -> Health.up();
			case OPEN, HALF_OPEN -> Health.status(DEGRADED);
			case ABSENT -> Health.unknown();
		};
		return health.withDetail("breaker", state.name().toLowerCase(Locale.ROOT).replace('_', '-'))
			.withDetails(this.details.apply(report))
			.build();
	}

}
