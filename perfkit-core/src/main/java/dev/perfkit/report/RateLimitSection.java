package dev.perfkit.report;

import java.util.List;
import java.util.Map;

/**
 * The rate-limit section: outcomes per tier and plan from {@code perfkit.ratelimit.requests}.
 *
 * @param breaker the rate limiter's Redis breaker ({@code perfkit.ratelimit.breaker.state})
 * @param limits one entry per tier and plan
 * @param backends mean decision latency per backend ({@code redis}, {@code local}) in milliseconds
 * @param details what the rate-limit engine added through a {@link ReportContributor}
 */
public record RateLimitSection(BreakerState breaker, List<Limit> limits, Map<String, Double> backends,
		Map<String, Object> details) {

	/**
	 * Create a section, copying its parts.
	 */
	public RateLimitSection {
		limits = List.copyOf(limits);
		backends = Map.copyOf(backends);
		details = ReportDraft.freeze(details);
	}

	/**
	 * The outcomes of one tier and plan.
	 *
	 * @param tier the rate-limit tier ({@code tier} tag)
	 * @param plan the plan ({@code plan} tag)
	 * @param allowed requests let through
	 * @param rejected requests refused (429)
	 * @param errors decisions that failed
	 * @param rejectionRate rejected over all requests (0..1), null without requests
	 * @param fallbacks decisions of this tier taken by the local fallback because Redis was
	 * unavailable (the meter is per tier, so every plan of a tier shows the same figure)
	 * @param details what the engine added, such as the effective limit
	 */
	public record Limit(String tier, String plan, long allowed, long rejected, long errors, Double rejectionRate,
			long fallbacks, Map<String, Object> details) {

		/**
		 * Create an entry, copying its details.
		 */
		public Limit {
			details = ReportDraft.freeze(details);
		}

		/**
		 * All requests decided for this tier and plan.
		 * @return allowed, rejected and errors together
		 */
		public long requests() {
			return this.allowed + this.rejected + this.errors;
		}

	}

}
