package dev.perfkit.report;

import java.util.Map;

/**
 * Something concrete to do, with the figures that led to it.
 *
 * @param section the report section it belongs to ({@code cache}, {@code rateLimit},
 * {@code queries}, {@code pool})
 * @param subject what it is about, such as a cache name, {@code tier/plan}, a query
 * fingerprint or a pool name
 * @param message the advice, one sentence naming the subject and the evidence
 * @param evidence the figures behind it, by name
 */
public record Recommendation(String section, String subject, String message, Map<String, Object> evidence) {

	/**
	 * Create a recommendation, copying the evidence.
	 */
	public Recommendation {
		evidence = Map.copyOf(evidence);
	}

}
