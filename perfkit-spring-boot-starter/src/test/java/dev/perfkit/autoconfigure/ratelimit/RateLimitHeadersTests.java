package dev.perfkit.autoconfigure.ratelimit;

import java.util.List;

import dev.perfkit.ratelimit.Algorithm;
import dev.perfkit.ratelimit.Decision;
import dev.perfkit.ratelimit.Limit;
import dev.perfkit.ratelimit.Quota;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitHeadersTests {

	private final Quota quota = new Quota("auth", null, Algorithm.SLIDING_LOG, List.of(Limit.parse("5/1m")));

	private final Decision allowed = new Decision(true, this.quota, Limit.parse("5/1m"), 4, 59_001, 0,
			1_800_000_000_500L, Decision.Source.REDIS);

	private final Decision rejected = new Decision(false, this.quota, Limit.parse("5/1m"), 0, 60_000, 1,
			1_800_000_000_000L, Decision.Source.REDIS);

	@Test
	void resetIsAnEpochSecondRoundedUpByDefault() {
		MockHttpServletResponse response = write(new RateLimitProperties.Headers(), this.allowed);
		assertThat(response.getHeader("X-RateLimit-Limit")).isEqualTo("5");
		assertThat(response.getHeader("X-RateLimit-Remaining")).isEqualTo("4");
		assertThat(response.getHeader("X-RateLimit-Reset")).isEqualTo("1800000060");
		assertThat(response.getHeader("Retry-After")).isNull();
		assertThat(response.getHeader("RateLimit")).isNull();
	}

	@Test
	void secondsFormatAndIetfHeadersAreOptIn() {
		RateLimitProperties.Headers settings = new RateLimitProperties.Headers();
		settings.setResetFormat(RateLimitProperties.ResetFormat.SECONDS);
		settings.setIetf(true);
		MockHttpServletResponse response = write(settings, this.allowed);
		assertThat(response.getHeader("X-RateLimit-Reset")).isEqualTo("60");
		assertThat(response.getHeader("RateLimit-Policy")).isEqualTo("\"auth\";q=5;w=60");
		assertThat(response.getHeader("RateLimit")).isEqualTo("\"auth\";r=4;t=60");
	}

	@Test
	void hiddenHeadersStillLeaveRetryAfterOnARejectionRoundedUpToAtLeastOneSecond() {
		RateLimitProperties.Headers settings = new RateLimitProperties.Headers();
		settings.setEnabled(false);
		MockHttpServletResponse response = write(settings, this.rejected);
		assertThat(response.getHeader("X-RateLimit-Limit")).isNull();
		assertThat(response.getHeader("Retry-After")).isEqualTo("1");
	}

	private static MockHttpServletResponse write(RateLimitProperties.Headers settings, Decision decision) {
		MockHttpServletResponse response = new MockHttpServletResponse();
		new RateLimitHeaders(settings).write(response::setHeader, decision);
		return response;
	}

}
