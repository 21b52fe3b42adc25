package dev.perfkit.redis;

import java.time.Duration;

/**
 * How a {@link RedisConnector} talks to Redis.
 *
 * @param name a short name for logs and threads, such as {@code cache}
 * @param commandTimeout how long a command may take before it counts as failed
 * @param failureThreshold consecutive failures that open the circuit breaker
 * @param openDuration how long the breaker stays open before a trial call
 * @param reconnectBackoff the least time between two attempts to open the connection
 */
public record RedisConnectorSettings(String name, Duration commandTimeout, int failureThreshold, Duration openDuration,
		Duration reconnectBackoff) {

	/**
	 * Settings with perfkit's defaults: 250 ms commands, five failures to open, five
	 * seconds open, one second between connection attempts.
	 * @param name the connector's name
	 * @return the settings
	 */
	public static RedisConnectorSettings defaults(String name) {
		return new RedisConnectorSettings(name, Duration.ofMillis(250), 5, Duration.ofSeconds(5), Duration.ofSeconds(1));
	}

	/**
	 * Return a copy with another command timeout.
	 * @param timeout the timeout
	 * @return the copy
	 */
	public RedisConnectorSettings withCommandTimeout(Duration timeout) {
		return new RedisConnectorSettings(this.name, timeout, this.failureThreshold, this.openDuration,
				this.reconnectBackoff);
	}

	/**
	 * Return a copy with other breaker settings.
	 * @param failureThreshold consecutive failures that open the breaker
	 * @param openDuration how long it stays open
	 * @return the copy
	 */
	public RedisConnectorSettings withBreaker(int failureThreshold, Duration openDuration) {
		return new RedisConnectorSettings(this.name, this.commandTimeout, failureThreshold, openDuration,
				this.reconnectBackoff);
	}

}
