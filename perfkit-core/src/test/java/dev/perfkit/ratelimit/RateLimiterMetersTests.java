package dev.perfkit.ratelimit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local limiter's meters: request counts per tier, plan and outcome, tier totals over
 * plans, and the sampled latency timer.
 */
class RateLimiterMetersTests {

	private final AtomicLong clock = new AtomicLong(1_800_000_000_000L);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final RateLimiter limiter = new RateLimiter(
			Map.of("scan", new Tier("scan", List.of(Limit.parse("2/1h")), Algorithm.TOKEN_BUCKET, FailurePolicy.ALLOW,
					Map.of("pro", List.of(Limit.parse("3/1h"))))),
			null, new LocalRateLimiter(100, this.clock::get, Decision.Source.LOCAL), this.registry);

	@Test
	void countsEachOutcomePerPlanAndTotalsTheTierOverItsPlans() {
		for (int i = 0; i < 5; i++) {
			this.limiter.check("scan", null, "free-user", 1);
			this.limiter.check("scan", "pro", "pro-user", 1);
		}
		assertThat(count("default", "allowed")).isEqualTo(2);
		assertThat(count("default", "rejected")).isEqualTo(3);
		assertThat(count("pro", "allowed")).isEqualTo(3);
		assertThat(count("pro", "rejected")).isEqualTo(2);
		assertThat(this.registry.find("perfkit.ratelimit.requests").tag("outcome", "error").meters()).isEmpty();
		RateLimitSnapshot.TierView scan = this.limiter.snapshot().tiers().get(0);
		assertThat(scan.allowed()).isEqualTo(5);
		assertThat(scan.rejected()).isEqualTo(5);
		assertThat(scan.errors()).isZero();
	}

	@Test
	void dryRunsAreNotCounted() {
		this.limiter.check("scan", null, "free-user", 1, true);
		assertThat(this.registry.find("perfkit.ratelimit.requests").meters()).isEmpty();
		assertThat(this.limiter.snapshot().tiers().get(0).allowed()).isZero();
	}

	@Test
	void timesASampleOfLocalChecks() {
		int checks = 100 * RateLimiter.LOCAL_TIMING_SAMPLE;
		for (int i = 0; i < checks; i++) {
			this.limiter.check("scan", null, "user-" + i, 1);
		}
		long timed = this.registry.get("perfkit.ratelimit.backend.latency").tag("backend", "local").timer().count();
		assertThat(timed).isPositive().isLessThan(checks);
		assertThat(count("default", "allowed")).isEqualTo(checks);
	}

	private double count(String plan, String outcome) {
		return this.registry.get("perfkit.ratelimit.requests")
			.tags("tier", "scan", "plan", plan, "outcome", outcome)
			.functionCounter()
			.count();
	}

}
