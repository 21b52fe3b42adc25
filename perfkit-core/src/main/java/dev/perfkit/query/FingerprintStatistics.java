package dev.perfkit.query;

import java.time.Duration;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Timer;

/**
 * Running figures of one fingerprint. Writers only add, so concurrent executions never
 * lose a count; a snapshot may see a count without its time, which the next one corrects.
 */
final class FingerprintStatistics {

	private static final double[] QUANTILES = { 0.5, 0.95, 0.99 };

	final Fingerprint fingerprint;

	/** Whether the statement reads (SELECT or WITH), the only kind N+1 detection looks at. */
	final boolean read;

	/**
	 * The fingerprint's own timer, or the shared {@code other} one; swapped when the
	 * fingerprint enters or leaves the tagged top.
	 */
	volatile Timer timer;

	private final LongAdder count = new LongAdder();

	private final LongAdder errors = new LongAdder();

	private final LongAdder totalNanos = new LongAdder();

	private final LongAccumulator maxNanos = new LongAccumulator(Math::max, 0);

	private final LatencyHistogram histogram = new LatencyHistogram();

	FingerprintStatistics(Fingerprint fingerprint, Timer timer) {
		this.fingerprint = fingerprint;
		this.timer = timer;
		this.read = !fingerprint.isOverflow()
				&& (fingerprint.sql().startsWith("select") || fingerprint.sql().startsWith("with"));
	}

	void record(long nanos, boolean success) {
		this.count.increment();
		this.totalNanos.add(nanos);
		this.maxNanos.accumulate(nanos);
		this.histogram.record(nanos);
		if (!success) {
			this.errors.increment();
		}
	}

	long totalNanos() {
		return this.totalNanos.sum();
	}

	long count() {
		return this.count.sum();
	}

	QueryStatisticsSnapshot.Query snapshot(String dataSource) {
		long count = this.count.sum();
		long total = this.totalNanos.sum();
		long max = this.maxNanos.get();
		long[] q = this.histogram.quantiles(QUANTILES, max);
		return new QueryStatisticsSnapshot.Query(dataSource, this.fingerprint.id(), this.fingerprint.sql(), count,
				this.errors.sum(), Duration.ofNanos(total), Duration.ofNanos((count > 0) ? total / count : 0),
				Duration.ofNanos(max), Duration.ofNanos(q[0]), Duration.ofNanos(q[1]), Duration.ofNanos(q[2]));
	}

}
