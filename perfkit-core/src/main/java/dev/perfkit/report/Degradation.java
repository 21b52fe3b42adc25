package dev.perfkit.report;

import java.util.List;

/**
 * Whether the application runs degraded (serving, but without a part of perfkit's
 * remote machinery or short of connections), and why.
 *
 * @param active whether anything is degraded
 * @param reasons one sentence per cause, empty when not degraded
 */
public record Degradation(boolean active, List<String> reasons) {

	/**
	 * Create a degradation, copying the reasons.
	 */
	public Degradation {
		reasons = List.copyOf(reasons);
	}

}
