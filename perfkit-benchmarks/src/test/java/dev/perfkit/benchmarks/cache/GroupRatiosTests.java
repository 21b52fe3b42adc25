package dev.perfkit.benchmarks.cache;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link GroupRatios}.
 */
class GroupRatiosTests {

	@Test
	void describesTheMeanWithItsConfidenceIntervalAndTheMedian() {
		String line = GroupRatios.describe("g", "perfkit", "stock", new double[] { 0.9, 1.0, 1.1, 1.0 });
		// standard deviation 0.0816, so the half width is 1.96 * 0.0816 / 2 = 0.080
		assertThat(line).isEqualTo("g: perfkit / stock over 4 paired measurements: mean 1.000 (95% CI 0.920 to 1.080), median 1.000");
	}

}
