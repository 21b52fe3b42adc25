package dev.perfkit.query;

/**
 * Thrown in strict mode when a scope runs one fingerprint with different parameters as
 * often as the N+1 threshold. The statement itself has completed.
 */
public class NPlusOneException extends RuntimeException {

	/**
	 * Create an exception.
	 * @param message the description, naming the entry point, caller and SQL
	 */
	public NPlusOneException(String message) {
		super(message);
	}

}
