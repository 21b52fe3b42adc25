package dev.perfkit.ratelimit;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LimitTests {

	@Test
	void parsesCountPerDurationInEveryUnit() {
		assertThat(Limit.parse("5/1m")).isEqualTo(new Limit(5, Duration.ofMinutes(1)));
		assertThat(Limit.parse("3/5m")).isEqualTo(new Limit(3, Duration.ofMinutes(5)));
		assertThat(Limit.parse("10/1h")).isEqualTo(new Limit(10, Duration.ofHours(1)));
		assertThat(Limit.parse("100/30d")).isEqualTo(new Limit(100, Duration.ofDays(30)));
		assertThat(Limit.parse(" 20 / s ")).isEqualTo(new Limit(20, Duration.ofSeconds(1)));
		assertThat(Limit.parse("7/250ms")).isEqualTo(new Limit(7, Duration.ofMillis(250)));
	}

	@Test
	void printsBackInTheSameNotation() {
		assertThat(Limit.parse("100/30d")).hasToString("100/30d");
		assertThat(Limit.parse("60/60s")).hasToString("60/1m");
		assertThat(Limit.parse("7/250ms")).hasToString("7/250ms");
	}

	@Test
	void rejectsMalformedZeroAndInexactLimits() {
		assertThatIllegalArgumentException().isThrownBy(() -> Limit.parse("5 per minute")).withMessageContaining("N/duration");
		assertThatIllegalArgumentException().isThrownBy(() -> Limit.parse("5/1w"));
		assertThatIllegalArgumentException().isThrownBy(() -> Limit.parse("0/1m"));
		assertThatIllegalArgumentException().isThrownBy(() -> Limit.parse("5/0s"));
		assertThatIllegalArgumentException().isThrownBy(() -> Limit.parse("999999999999/999999d"))
			.withMessageContaining("too large");
	}

	@Test
	void quotaFingerprintChangesWithLimitsAndAlgorithm() {
		Quota five = new Quota("auth", null, Algorithm.SLIDING_LOG, java.util.List.of(Limit.parse("5/1m")));
		Quota six = new Quota("auth", null, Algorithm.SLIDING_LOG, java.util.List.of(Limit.parse("6/1m")));
		Quota bucket = new Quota("auth", null, Algorithm.TOKEN_BUCKET, java.util.List.of(Limit.parse("5/1m")));
		assertThat(five.fingerprint()).hasSize(8).isNotEqualTo(six.fingerprint()).isNotEqualTo(bucket.fingerprint());
		assertThat(five.fingerprint()).isEqualTo(
				new Quota("auth", null, Algorithm.SLIDING_LOG, java.util.List.of(Limit.parse("5/60s"))).fingerprint());
	}

}
