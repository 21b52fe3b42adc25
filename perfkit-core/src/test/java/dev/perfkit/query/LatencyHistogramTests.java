package dev.perfkit.query;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyHistogramTests {

	@Test
	void quantilesAreWithinOneSubBucketOfTheTruth() {
		LatencyHistogram histogram = new LatencyHistogram();
		for (long micros = 1; micros <= 1000; micros++) {
			histogram.record(micros * 1000);
		}
		long[] q = histogram.quantiles(new double[] { 0.5, 0.95, 0.99 }, 1_000_000);
		assertThat(q[0]).isBetween(500_000L, 500_000L * 9 / 8);
		assertThat(q[1]).isBetween(950_000L, 1_000_000L);
		assertThat(q[2]).isBetween(990_000L, 1_000_000L);
	}

	@Test
	void anEmptyHistogramReportsZero() {
		assertThat(new LatencyHistogram().quantiles(new double[] { 0.5 }, 0)).containsExactly(0L);
	}

	@Test
	void eachValueFallsInTheBucketWhoseBoundsEncloseIt() {
		for (long value : new long[] { 1024, 1500, 999_999, 150_000_000, (1L << 42) - 1 }) {
			int index = LatencyHistogram.index(value);
			assertThat(LatencyHistogram.upperBound(index)).as("upper bound for %d", value).isGreaterThan(value);
			assertThat(LatencyHistogram.upperBound(index - 1)).as("previous bound for %d", value)
				.isLessThanOrEqualTo(value);
		}
	}

}
