package dev.perfkit.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Where a limit is unknown, the limiter limits anyway: an unlisted plan never means
 * unlimited, and a cost below one permit is refused.
 */
class FailClosedTests {

	private final Map<String, List<Limit>> plans = Map.of("free", List.of(Limit.parse("2/1h")), "pro",
			List.of(Limit.parse("100/1h")));

	@Test
	void aCallerOnAnUnlistedPlanGetsTheConfiguredDefaultPlan() {
		Tier tier = new Tier("scan", List.of(), Algorithm.TOKEN_BUCKET, FailurePolicy.ALLOW, this.plans, "free");
		RateLimiter limiter = limiter(tier);
		assertThat(limiter.check("scan", "enterprise", "k", 1).allowed()).isTrue();
		assertThat(limiter.check("scan", null, "k", 1).allowed()).isTrue();
		Decision third = limiter.check("scan", "no-such-plan", "k", 1);
		assertThat(third.allowed()).isFalse();
		assertThat(third.quota().plan()).isEqualTo("free");
		assertThat(limiter.check("scan", "pro", "k", 1).allowed()).isTrue();
	}

	@Test
	void withoutADefaultPlanAnUnlistedPlanGetsTheTiersOwnLimits() {
		Tier tier = new Tier("scan", List.of(Limit.parse("1/1h")), Algorithm.TOKEN_BUCKET, FailurePolicy.ALLOW,
				this.plans, null);
		RateLimiter limiter = limiter(tier);
		assertThat(limiter.check("scan", "enterprise", "k", 1).allowed()).isTrue();
		assertThat(limiter.check("scan", "enterprise", "k", 1).allowed()).isFalse();
	}

	@Test
	void aTierWithOnlyPlansAndNoDefaultPlanCannotBeBuilt() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Tier("scan", List.of(), Algorithm.TOKEN_BUCKET, FailurePolicy.ALLOW, this.plans))
			.withMessageContaining("default plan");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Tier("scan", List.of(), Algorithm.TOKEN_BUCKET, FailurePolicy.ALLOW, this.plans,
					"gold"))
			.withMessageContaining("gold");
	}

	@Test
	void costsBelowOneAreRefused() {
		RateLimiter limiter = limiter(Tiers.builtIn(Tiers.AUTH));
		assertThatIllegalArgumentException().isThrownBy(() -> limiter.check("auth", null, "k", 0))
			.withMessageContaining("at least 1");
		assertThatIllegalArgumentException().isThrownBy(() -> limiter.check("auth", null, "k", -5));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> limiter.acquire("auth", "k", -1, Duration.ofMillis(10)));
		Decision admitted = limiter.check("auth", null, "k", 1);
		assertThatIllegalArgumentException().isThrownBy(() -> limiter.refund(admitted, "k", -3));
		// nothing was given: four more pass, the fifth request of the window is the last
		for (int i = 0; i < 4; i++) {
			assertThat(limiter.check("auth", null, "k", 1).allowed()).isTrue();
		}
		assertThat(limiter.check("auth", null, "k", 1).allowed()).isFalse();
	}

	private static RateLimiter limiter(Tier tier) {
		return new RateLimiter(Map.of(tier.name(), tier), null, new LocalRateLimiter(100), null);
	}

}
