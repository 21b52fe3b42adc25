package dev.perfkit.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@link InvalidPerfkitPropertyException}: the property, its value, what is
 * wrong with it and what to change.
 */
final class InvalidPerfkitPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidPerfkitPropertyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidPerfkitPropertyException cause) {
		String description = "perfkit could not start: the property '" + cause.getProperty() + "' has the value '"
				+ cause.getValue() + "'.\n\nReason: " + cause.getProblem();
		String action = "Update '" + cause.getProperty() + "' in your configuration: " + cause.getAction();
		return new FailureAnalysis(description, action, cause);
	}

}
