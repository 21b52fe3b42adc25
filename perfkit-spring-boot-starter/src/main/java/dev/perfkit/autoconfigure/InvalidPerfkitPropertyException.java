package dev.perfkit.autoconfigure;

/**
 * Thrown at startup when a perfkit property has a value that cannot work. The
 * {@link InvalidPerfkitPropertyFailureAnalyzer} turns it into a message that names the
 * property and the fix.
 */
public class InvalidPerfkitPropertyException extends RuntimeException {

	private final String property;

	private final Object value;

	private final String problem;

	private final String action;

	/**
	 * Create an exception.
	 * @param property the full property name, such as {@code perfkit.cache.caches.pricing.local.ttl}
	 * @param value the offending value, may be {@code null}
	 * @param problem what is wrong, as a sentence
	 * @param action what to change, as a sentence
	 */
	public InvalidPerfkitPropertyException(String property, Object value, String problem, String action) {
		super("Invalid value '" + value + "' for property '" + property + "': " + problem);
		this.property = property;
		this.value = value;
		this.problem = problem;
		this.action = action;
	}

	/**
	 * Return the property name.
	 * @return the property
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * Return the offending value.
	 * @return the value, may be {@code null}
	 */
	public Object getValue() {
		return this.value;
	}

	/**
	 * Return what is wrong.
	 * @return the problem
	 */
	public String getProblem() {
		return this.problem;
	}

	/**
	 * Return what to change.
	 * @return the action
	 */
	public String getAction() {
		return this.action;
	}

}
