package dev.perfkit.autoconfigure.redis;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How perfkit's engines talk to the application's Redis. The server itself is configured
 * with Spring Boot's own {@code spring.data.redis.*} properties.
 */
@ConfigurationProperties("perfkit.redis")
public class PerfkitRedisProperties {

	/**
	 * Whether perfkit's engines use Redis. When false, every engine runs on its local
	 * tier alone, even if Spring Data Redis is configured.
	 */
	private boolean enabled = true;

	/**
	 * How long a perfkit Redis command may take before it counts as failed. Short on
	 * purpose: a slow Redis must not make every request slow.
	 */
	private Duration commandTimeout = Duration.ofMillis(250);

	/**
	 * Least time between two attempts to open a connection while Redis is unreachable.
	 */
	private Duration reconnectBackoff = Duration.ofSeconds(1);

	/**
	 * Whether Boot's per-command Lettuce observation (on when the application has an
	 * ObservationRegistry) also observes perfkit's own Redis connections (rate limiting,
	 * cache): 'keep' observes them like every other command; 'skip' gives perfkit a client
	 * of its own without it, sharing the application's event loops, and leaves the
	 * application's own commands observed.
	 */
	private Observation observation = Observation.KEEP;

	private final CircuitBreaker circuitBreaker = new CircuitBreaker();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getCommandTimeout() {
		return this.commandTimeout;
	}

	public void setCommandTimeout(Duration commandTimeout) {
		this.commandTimeout = commandTimeout;
	}

	public Duration getReconnectBackoff() {
		return this.reconnectBackoff;
	}

	public void setReconnectBackoff(Duration reconnectBackoff) {
		this.reconnectBackoff = reconnectBackoff;
	}

	public Observation getObservation() {
		return this.observation;
	}

	public void setObservation(Observation observation) {
		this.observation = observation;
	}

	public CircuitBreaker getCircuitBreaker() {
		return this.circuitBreaker;
	}

	/**
	 * What Boot's Lettuce observation does with perfkit's own Redis commands.
	 */
	public enum Observation {

		/**
		 * Observe them like every other command (a span and a timer per command).
		 */
		KEEP,

		/**
		 * Leave them unobserved: perfkit's connections come from a client of its own
		 * without Lettuce tracing; perfkit's own meters still time them.
		 */
		SKIP

	}

	/**
	 * The circuit breaker in front of Redis.
	 */
	public static class CircuitBreaker {

		/**
		 * Consecutive failed commands that open the circuit breaker.
		 */
		private int failureThreshold = 5;

		/**
		 * How long the circuit breaker stays open (every Redis call skipped at once)
		 * before one trial call.
		 */
		private Duration openDuration = Duration.ofSeconds(5);

		public int getFailureThreshold() {
			return this.failureThreshold;
		}

		public void setFailureThreshold(int failureThreshold) {
			this.failureThreshold = failureThreshold;
		}

		public Duration getOpenDuration() {
			return this.openDuration;
		}

		public void setOpenDuration(Duration openDuration) {
			this.openDuration = openDuration;
		}

	}

}
