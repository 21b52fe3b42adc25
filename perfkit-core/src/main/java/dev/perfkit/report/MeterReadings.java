package dev.perfkit.report;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

/**
 * Reads meters of any kind a registry may hold for a name (a counter may be registered
 * as a {@link FunctionCounter}, a timer as a {@link FunctionTimer}), less the baseline
 * taken at the last reset.
 */
final class MeterReadings {

	private static final String UNTAGGED = "";

	private final MeterRegistry registry;

	private final Map<Meter.Id, Baseline> baselines;

	MeterReadings(MeterRegistry registry, Map<Meter.Id, Baseline> baselines) {
		this.registry = registry;
		this.baselines = baselines;
	}

	Collection<Meter> find(String name) {
		return this.registry.find(name).meters();
	}

	static String tag(Meter meter, String key) {
		String value = meter.getId().getTag(key);
		return (value != null) ? value : UNTAGGED;
	}

	/**
	 * The count of a counter or a timer since the last reset.
	 */
	double count(Meter meter) {
		double raw = rawCount(meter);
		Baseline baseline = this.baselines.get(meter.getId());
		// A meter removed and registered again starts from zero: its old baseline no longer applies.
		return (baseline != null && raw >= baseline.count()) ? raw - baseline.count() : raw;
	}

	/**
	 * Timer figures since the last reset; the max and the percentiles cannot be rebased
	 * and cover the timer's own window.
	 */
	TimerFigures timer(Meter meter) {
		double count = rawCount(meter);
		double total = rawTotalMillis(meter);
		Baseline baseline = this.baselines.get(meter.getId());
		if (baseline != null && count >= baseline.count() && total >= baseline.totalMillis()) {
			count -= baseline.count();
			total -= baseline.totalMillis();
		}
		double max = 0;
		Double p95 = null;
		if (meter instanceof Timer timer) {
			max = timer.max(TimeUnit.MILLISECONDS);
			p95 = p95(timer.takeSnapshot());
		}
		return new TimerFigures((long) count, total, max, p95);
	}

	/**
	 * A gauge's value, NaN when the meter is not a gauge or its object is gone.
	 */
	static double gauge(Meter meter) {
		if (meter instanceof TimeGauge timeGauge) {
			return timeGauge.value(TimeUnit.MILLISECONDS);
		}
		if (meter instanceof Gauge gauge) {
			return gauge.value();
		}
		return Double.NaN;
	}

	/**
	 * The largest value among the gauges of a name, NaN when there is none.
	 */
	double maxGauge(String name) {
		double max = Double.NaN;
		for (Meter meter : find(name)) {
			double value = gauge(meter);
			if (!Double.isNaN(value) && (Double.isNaN(max) || value > max)) {
				max = value;
			}
		}
		return max;
	}

	static Map<Meter.Id, Baseline> capture(MeterRegistry registry, List<String> names) {
		Map<Meter.Id, Baseline> baselines = new HashMap<>();
		for (String name : names) {
			for (Meter meter : registry.find(name).meters()) {
				double count = rawCount(meter);
				if (!Double.isNaN(count)) {
					baselines.put(meter.getId(), new Baseline(count, rawTotalMillis(meter)));
				}
			}
		}
		return Map.copyOf(baselines);
	}

	private static double rawCount(Meter meter) {
		if (meter instanceof Counter counter) {
			return counter.count();
		}
		if (meter instanceof FunctionCounter counter) {
			return counter.count();
		}
		if (meter instanceof Timer timer) {
			return timer.count();
		}
		if (meter instanceof FunctionTimer timer) {
			return timer.count();
		}
		// Gauges and long task timers carry no count.
		return Double.NaN;
	}

	private static double rawTotalMillis(Meter meter) {
		if (meter instanceof Timer timer) {
			return timer.totalTime(TimeUnit.MILLISECONDS);
		}
		if (meter instanceof FunctionTimer timer) {
			return timer.totalTime(TimeUnit.MILLISECONDS);
		}
		return 0;
	}

	/**
	 * The 95th percentile: published directly when the timer is configured with it,
	 * else the upper bound of the histogram bucket that holds it.
	 */
	private static Double p95(HistogramSnapshot snapshot) {
		for (ValueAtPercentile value : snapshot.percentileValues()) {
			if (Math.abs(value.percentile() - 0.95) < 1e-9) {
				return value.value(TimeUnit.MILLISECONDS);
			}
		}
		CountAtBucket[] buckets = snapshot.histogramCounts();
		if (buckets.length == 0 || snapshot.count() == 0) {
			return null;
		}
		double wanted = snapshot.count() * 0.95;
		for (CountAtBucket bucket : buckets) {
			if (bucket.count() >= wanted) {
				return bucket.bucket(TimeUnit.MILLISECONDS);
			}
		}
		return snapshot.max(TimeUnit.MILLISECONDS);
	}

	/**
	 * A meter's count and total time at a reset.
	 */
	record Baseline(double count, double totalMillis) {

	}

	/**
	 * A timer's figures: count and total since the last reset, max and p95 of its window.
	 */
	record TimerFigures(long count, double totalMillis, double maxMillis, Double p95Millis) {

	}

}
