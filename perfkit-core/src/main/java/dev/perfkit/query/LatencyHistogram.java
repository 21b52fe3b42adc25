package dev.perfkit.query;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed-size, log-linear latency histogram (shared by the query and pool engines): each power of two of nanoseconds is split
 * into {@value #SUB_BUCKETS} linear sub-buckets, from 1 µs to about 73 minutes, so a
 * quantile is accurate to within one sub-bucket (at most 12.5% of the value). Recording is
 * one array increment; there is no allocation and no lock.
 */
public final class LatencyHistogram {

	private static final int SUB_BITS = 3;

	private static final int SUB_BUCKETS = 1 << SUB_BITS;

	/** Values below 2^MIN_EXPONENT ns (about 1 µs) share the first bucket. */
	private static final int MIN_EXPONENT = 10;

	private static final int MAX_EXPONENT = 42;

	private static final int BUCKETS = 1 + (MAX_EXPONENT - MIN_EXPONENT + 1) * SUB_BUCKETS;

	private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

	/**
	 * Record one value.
	 * @param nanos the value in nanoseconds
	 */
	public void record(long nanos) {
		this.counts.incrementAndGet(index(nanos));
	}

	static int index(long nanos) {
		if (nanos < (1L << MIN_EXPONENT)) {
			return 0;
		}
		int exponent = 63 - Long.numberOfLeadingZeros(nanos);
		if (exponent > MAX_EXPONENT) {
			return BUCKETS - 1;
		}
		int sub = (int) ((nanos >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1));
		return 1 + (exponent - MIN_EXPONENT) * SUB_BUCKETS + sub;
	}

	/** The upper bound of a bucket, in nanoseconds: a quantile never under-reports. */
	static long upperBound(int index) {
		if (index == 0) {
			return 1L << MIN_EXPONENT;
		}
		int exponent = (index - 1) / SUB_BUCKETS + MIN_EXPONENT;
		int sub = (index - 1) % SUB_BUCKETS;
		long base = 1L << exponent;
		return base + ((sub + 1) * (base >>> SUB_BITS));
	}

	/**
	 * Return the given quantiles from one consistent pass over the buckets.
	 * @param quantiles ascending quantiles in (0, 1]
	 * @param max the largest value seen, which caps the estimate
	 * @return the estimates in nanoseconds, {@code 0} when nothing was recorded
	 */
	public long[] quantiles(double[] quantiles, long max) {
		long[] copy = new long[BUCKETS];
		long total = 0;
		for (int i = 0; i < BUCKETS; i++) {
			copy[i] = this.counts.get(i);
			total += copy[i];
		}
		long[] result = new long[quantiles.length];
		if (total == 0) {
			return result;
		}
		int q = 0;
		long seen = 0;
		for (int i = 0; i < BUCKETS && q < quantiles.length; i++) {
			seen += copy[i];
			while (q < quantiles.length && seen >= (long) Math.ceil(quantiles[q] * total)) {
				result[q++] = Math.min(upperBound(i), max);
			}
		}
		return result;
	}

}
