package dev.perfkit.pool;

import java.time.Duration;
import java.util.List;

/**
 * What a HikariCP pool looks like now, read from its MXBean without borrowing.
 *
 * @param pool the pool name
 * @param started whether the pool has started (it starts on first use)
 * @param active connections in use
 * @param idle connections idle in the pool
 * @param total connections open
 * @param maximum the maximum pool size
 * @param waiting threads waiting for a connection
 * @param saturation active divided by maximum, from 0 to 1
 * @param peakActive the most connections seen in use at once through perfkit's wrapper
 * @param acquireP99 the 99th percentile time to borrow a connection
 * @param leakSuspects connections held longer than the leak threshold
 * @param hints sizing advice; perfkit never resizes the pool itself
 */
public record PoolSnapshot(String pool, boolean started, int active, int idle, int total, int maximum, int waiting,
		double saturation, int peakActive, Duration acquireP99, List<LeakSuspect> leakSuspects, List<String> hints) {

	/**
	 * Whether every connection is in use and at least {@code waitingThreshold} threads
	 * wait, or the saturation reached {@code saturationThreshold}.
	 * @param saturationThreshold the saturation (0..1) that counts as saturated
	 * @param waitingThreshold the number of waiting threads that counts as saturated
	 * @return whether the pool is saturated
	 */
	public boolean saturated(double saturationThreshold, int waitingThreshold) {
		return this.started && (this.saturation >= saturationThreshold
				|| (this.active >= this.maximum && this.waiting >= waitingThreshold));
	}

}
