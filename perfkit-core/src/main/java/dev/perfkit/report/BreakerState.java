package dev.perfkit.report;

/**
 * A circuit breaker's state as published by the {@code perfkit.*.breaker.state} gauges
 * (0 closed, 1 half-open, 2 open), or {@link #ABSENT} when no such gauge is registered
 * (the capability runs without Redis).
 */
public enum BreakerState {

	/** Calls to Redis go through. */
	CLOSED,

	/** One trial call is in flight after the breaker was open. */
	HALF_OPEN,

	/** Calls to Redis are skipped: Redis failed repeatedly. */
	OPEN,

	/** No breaker gauge is registered. */
	ABSENT;

	static BreakerState fromGauge(double value) {
		if (Double.isNaN(value)) {
			return ABSENT;
		}
		if (value >= 1.5) {
			return OPEN;
		}
		return (value >= 0.5) ? HALF_OPEN : CLOSED;
	}

	/**
	 * Whether this state means the remote side is not fully in service.
	 * @return true when half-open or open
	 */
	public boolean isTripped() {
		return this == OPEN || this == HALF_OPEN;
	}

}
