package dev.perfkit.redis;

/**
 * Thrown, or used to complete a future exceptionally, when a Redis call was not made or
 * did not finish: no connection yet, circuit open, timeout, connection lost. Engines turn
 * it into their failure policy; it never reaches an application's caller.
 */
public class RedisUnavailableException extends RuntimeException {

	/**
	 * Create an exception.
	 * @param message what happened
	 * @param cause the cause, may be {@code null}
	 */
	public RedisUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
