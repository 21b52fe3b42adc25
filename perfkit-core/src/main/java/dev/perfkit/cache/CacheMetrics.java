package dev.perfkit.cache;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * One cache's meters, created once so that the hot path only increments. Tags are the
 * cache name and the tier: never a key.
 */
final class CacheMetrics {

	private final MeterRegistry registry;

	private final String cache;

	private final Counter localHits;

	private final Counter localMisses;

	private final Counter remoteHits;

	private final Counter remoteMisses;

	private final Counter puts;

	private final Counter localEvictions;

	private final Counter remoteEvictions;

	private final Timer loadSuccess;

	private final Timer loadFailure;

	private final Counter remoteErrors;

	private final Timer remoteLatency;

	private final Counter invalidationsSent;

	private final Counter invalidationsReceived;

	private final Counter trackingInvalidationsReceived;

	private final Counter decodeFailures;

	private final LongAdder loads = new LongAdder();

	private final Counter staleServed;

	private final Counter refreshesStarted;

	private final Counter refreshesCompleted;

	private final Counter refreshesFailed;

	private final Counter refreshesSkipped;

	private final Counter refreshesBusy;

	private final Counter refreshesOvertaken;

	CacheMetrics(MeterRegistry registry, String cache) {
		this.registry = registry;
		this.cache = cache;
		this.localHits = gets("local", "hit");
		this.localMisses = gets("local", "miss");
		this.remoteHits = gets("remote", "hit");
		this.remoteMisses = gets("remote", "miss");
		this.puts = Counter.builder("perfkit.cache.puts").tag("cache", cache).register(registry);
		this.localEvictions = evictions("local");
		this.remoteEvictions = evictions("remote");
		this.loadSuccess = loads("success");
		this.loadFailure = loads("failure");
		this.remoteErrors = Counter.builder("perfkit.cache.remote.errors").tag("cache", cache).register(registry);
		this.remoteLatency = Timer.builder("perfkit.cache.remote.latency").tag("cache", cache).register(registry);
		this.invalidationsSent = Counter.builder("perfkit.cache.invalidations.sent").tag("cache", cache)
			.register(registry);
		this.invalidationsReceived = received("message");
		this.trackingInvalidationsReceived = received("tracking");
		this.decodeFailures = Counter.builder("perfkit.cache.decode.failures").tag("cache", cache).register(registry);
		this.staleServed = Counter.builder("perfkit.cache.stale.served")
			.description("Expired values returned because the loader threw (stale-if-error)")
			.tag("cache", cache)
			.register(registry);
		this.refreshesStarted = refreshes("started");
		this.refreshesCompleted = refreshes("completed");
		this.refreshesFailed = refreshes("failed");
		this.refreshesSkipped = refreshes("skipped");
		this.refreshesBusy = refreshes("busy");
		this.refreshesOvertaken = refreshes("overtaken");
	}

	<T> void localSize(T tier, ToDoubleFunction<T> size) {
		Gauge.builder("perfkit.cache.size", tier, size).tag("cache", this.cache).tag("tier", "local")
			.register(this.registry);
	}

	void get(boolean local, boolean hit) {
		if (local) {
			(hit ? this.localHits : this.localMisses).increment();
		}
		else {
			(hit ? this.remoteHits : this.remoteMisses).increment();
		}
	}

	void put() {
		this.puts.increment();
	}

	void eviction(boolean local) {
		(local ? this.localEvictions : this.remoteEvictions).increment();
	}

	void load(long nanos, boolean success) {
		this.loads.increment();
		(success ? this.loadSuccess : this.loadFailure).record(nanos, TimeUnit.NANOSECONDS);
	}

	void remoteError() {
		this.remoteErrors.increment();
	}

	void remoteLatency(long nanos) {
		this.remoteLatency.record(nanos, TimeUnit.NANOSECONDS);
	}

	void invalidationSent() {
		this.invalidationsSent.increment();
	}

	void invalidationReceived() {
		this.invalidationsReceived.increment();
	}

	/**
	 * Count a key that Redis's client tracking reported changed.
	 */
	void trackingInvalidationReceived() {
		this.trackingInvalidationsReceived.increment();
	}

	void localFlush(String reason) {
		Counter.builder("perfkit.cache.local.flushes").tag("cache", this.cache).tag("reason", reason)
			.register(this.registry).increment();
	}

	void decodeFailure() {
		this.decodeFailures.increment();
	}

	// Freshness: stale-if-error and refresh-ahead (issue 15).

	void staleServed() {
		this.staleServed.increment();
	}

	void refreshStarted() {
		this.refreshesStarted.increment();
	}

	void refreshCompleted() {
		this.refreshesCompleted.increment();
	}

	void refreshFailed() {
		this.refreshesFailed.increment();
	}

	void refreshSkipped() {
		this.refreshesSkipped.increment();
	}

	void refreshBusy() {
		this.refreshesBusy.increment();
	}

	void refreshOvertaken() {
		this.refreshesOvertaken.increment();
	}

	/**
	 * Stale values served and refreshes by outcome, for the report.
	 */
	CacheStatisticsSnapshot.FreshnessCounts freshnessCounts() {
		return new CacheStatisticsSnapshot.FreshnessCounts((long) this.staleServed.count(),
				(long) this.refreshesStarted.count(), (long) this.refreshesCompleted.count(),
				(long) this.refreshesSkipped.count(), (long) this.refreshesFailed.count(),
				(long) this.refreshesBusy.count(), (long) this.refreshesOvertaken.count());
	}

	private Counter refreshes(String result) {
		return Counter.builder("perfkit.cache.refreshes")
			.description("Refresh-ahead reloads by outcome")
			.tag("cache", this.cache)
			.tag("result", result)
			.register(this.registry);
	}

	CacheStatisticsSnapshot.Counts counts() {
		return new CacheStatisticsSnapshot.Counts((long) this.localHits.count(), (long) this.localMisses.count(),
				(long) this.remoteHits.count(), (long) this.remoteMisses.count(), this.loads.sum(),
				(long) this.puts.count(), (long) this.remoteErrors.count(), (long) this.decodeFailures.count(),
				(long) this.invalidationsSent.count(),
				(long) (this.invalidationsReceived.count() + this.trackingInvalidationsReceived.count()));
	}

	private Counter gets(String tier, String result) {
		return Counter.builder("perfkit.cache.gets").tag("cache", this.cache).tag("tier", tier).tag("result", result)
			.register(this.registry);
	}

	private Counter received(String source) {
		return Counter.builder("perfkit.cache.invalidations.received").tag("cache", this.cache).tag("source", source)
			.register(this.registry);
	}

	private Counter evictions(String tier) {
		return Counter.builder("perfkit.cache.evictions").tag("cache", this.cache).tag("tier", tier)
			.register(this.registry);
	}

	private Timer loads(String result) {
		return Timer.builder("perfkit.cache.loads").tag("cache", this.cache).tag("result", result)
			.register(this.registry);
	}

}
