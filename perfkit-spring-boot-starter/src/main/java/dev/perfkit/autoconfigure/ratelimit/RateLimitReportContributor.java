package dev.perfkit.autoconfigure.ratelimit;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.perfkit.ratelimit.RateLimitSnapshot;
import dev.perfkit.ratelimit.RateLimiter;
import dev.perfkit.report.ReportContributor;
import dev.perfkit.report.ReportDraft;

/**
 * Fills the report's {@code rateLimit} section with what the meters cannot carry: each
 * tier's and plan's effective limits, algorithm and failure policy, read from the
 * limiter's {@link RateLimiter#snapshot() snapshot}. Every configured tier and plan is
 * named, so one without traffic yet still shows its limits. A tier's own limits appear
 * under the plan {@code default}, as in the {@code plan} tag of the requests meter.
 */
final class RateLimitReportContributor implements ReportContributor {

	private final RateLimiter limiter;

	RateLimitReportContributor(RateLimiter limiter) {
		this.limiter = limiter;
	}

	@Override
	public void contribute(ReportDraft draft) {
		for (RateLimitSnapshot.TierView tier : this.limiter.snapshot().tiers()) {
			if (!tier.limits().isEmpty()) {
				describe(draft, tier, RateLimiter.DEFAULT_PLAN, tier.limits());
			}
			for (Map.Entry<String, List<String>> plan : tier.plans().entrySet()) {
				describe(draft, tier, plan.getKey(), plan.getValue());
			}
		}
	}

	private static void describe(ReportDraft draft, RateLimitSnapshot.TierView tier, String plan,
			List<String> limits) {
		draft.rateLimitDetail(tier.name(), plan, "limit", String.join(",", limits));
		draft.rateLimitDetail(tier.name(), plan, "algorithm", name(tier.algorithm()));
		draft.rateLimitDetail(tier.name(), plan, "failurePolicy", name(tier.failurePolicy()));
	}

	private static String name(Enum<?> value) {
		return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
