package dev.perfkit.report;

/**
 * Adds what meters cannot carry to a report: an engine implements it over its snapshot
 * API (effective limits per tier and plan, full normalized SQL, N+1 suspects with their
 * caller, leak stacks, TTLs, invalidation lag) and writes into its section of the
 * {@link ReportDraft}. Contributors run after the meters are read and before the score
 * and recommendations are computed, so a reason added with
 * {@link ReportDraft#degrade(String)} counts towards the status.
 * <p>
 * Contributors are called on the thread asking for the report and must be quick and
 * must not throw; a contributor that throws is skipped (logged) and the report is built
 * without it.
 */
@FunctionalInterface
public interface ReportContributor {

	/**
	 * Add details, recommendations or degradation reasons.
	 * @param draft the report being built
	 */
	void contribute(ReportDraft draft);

	/**
	 * Forget the statistics this contributor keeps, when the report is reset. Does
	 * nothing by default.
	 */
	default void reset() {
	}

}
