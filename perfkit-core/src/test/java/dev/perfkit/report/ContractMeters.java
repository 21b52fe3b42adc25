package dev.perfkit.report;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Registers meters exactly as the meter contract says the engines do, so that the report
 * is tested against the names and tags the cache, rate-limit and database engines use.
 */
final class ContractMeters {

	final MeterRegistry registry;

	final AtomicInteger cacheBreaker = new AtomicInteger();

	final AtomicInteger rateLimitBreaker = new AtomicInteger();

	ContractMeters(MeterRegistry registry) {
		this.registry = registry;
		Gauge.builder("perfkit.cache.breaker.state", this.cacheBreaker, AtomicInteger::get).register(registry);
		Gauge.builder("perfkit.ratelimit.breaker.state", this.rateLimitBreaker, AtomicInteger::get)
			.register(registry);
	}

	ContractMeters gets(String cache, String tier, long hits, long misses) {
		Counter.builder("perfkit.cache.gets").tags("cache", cache, "tier", tier, "result", "hit")
			.register(this.registry).increment(hits);
		Counter.builder("perfkit.cache.gets").tags("cache", cache, "tier", tier, "result", "miss")
			.register(this.registry).increment(misses);
		return this;
	}

	ContractMeters puts(String cache, long puts) {
		Counter.builder("perfkit.cache.puts").tags("cache", cache).register(this.registry)
			.increment(puts);
		return this;
	}

	ContractMeters evictions(String cache, String tier, long evictions) {
		Counter.builder("perfkit.cache.evictions").tags("cache", cache, "tier", tier).register(this.registry)
			.increment(evictions);
		return this;
	}

	ContractMeters load(String cache, String result, Duration duration) {
		Timer.builder("perfkit.cache.loads").tags("cache", cache, "result", result).register(this.registry)
			.record(duration);
		return this;
	}

	ContractMeters cacheCounter(String name, String cache, long count, String... extraTags) {
		Counter.builder(name).tags("cache", cache).tags(extraTags).register(this.registry).increment(count);
		return this;
	}

	ContractMeters remoteLatency(String cache, Duration duration) {
		Timer.builder("perfkit.cache.remote.latency").tags("cache", cache).register(this.registry).record(duration);
		return this;
	}

	ContractMeters size(String cache, Number size) {
		Gauge.builder("perfkit.cache.size", size, Number::doubleValue).tags("cache", cache, "tier", "local")
			.strongReference(true)
			.register(this.registry);
		return this;
	}

	ContractMeters requests(String tier, String plan, long allowed, long rejected, long errors) {
		Counter.builder("perfkit.ratelimit.requests").tags("tier", tier, "plan", plan, "outcome", "allowed")
			.register(this.registry).increment(allowed);
		Counter.builder("perfkit.ratelimit.requests").tags("tier", tier, "plan", plan, "outcome", "rejected")
			.register(this.registry).increment(rejected);
		Counter.builder("perfkit.ratelimit.requests").tags("tier", tier, "plan", plan, "outcome", "error")
			.register(this.registry).increment(errors);
		return this;
	}

	ContractMeters fallbacks(String tier, long count) {
		Counter.builder("perfkit.ratelimit.fallbacks").tags("tier", tier).register(this.registry).increment(count);
		return this;
	}

	ContractMeters backendLatency(String backend, Duration duration) {
		Timer.builder("perfkit.ratelimit.backend.latency").tags("backend", backend).register(this.registry)
			.record(duration);
		return this;
	}

	ContractMeters query(String datasource, String fingerprint, Duration duration, int times) {
		Timer timer = Timer.builder("perfkit.query.duration").tags("datasource", datasource, "fingerprint", fingerprint)
			.publishPercentiles(0.95)
			.register(this.registry);
		for (int i = 0; i < times; i++) {
			timer.record(duration);
		}
		return this;
	}

	ContractMeters datasourceCounter(String name, String datasource, long count) {
		Counter.builder(name).tags("datasource", datasource).register(this.registry).increment(count);
		return this;
	}

	ContractMeters fingerprints(String datasource, Number count) {
		Gauge.builder("perfkit.query.fingerprints", count, Number::doubleValue).tags("datasource", datasource)
			.strongReference(true)
			.register(this.registry);
		return this;
	}

	/**
	 * Boot's HikariCP meters as {@code MicrometerMetricsTrackerFactory} registers them, and
	 * perfkit's pool meters.
	 */
	ContractMeters pool(String pool, int active, int idle, int max, int pending, long timeouts, double saturation,
			long leaks) {
		gauge("hikaricp.connections.active", pool, active);
		gauge("hikaricp.connections.idle", pool, idle);
		gauge("hikaricp.connections.max", pool, max);
		gauge("hikaricp.connections.pending", pool, pending);
		Counter.builder("hikaricp.connections.timeout").tags("pool", pool).register(this.registry)
			.increment(timeouts);
		gauge("perfkit.pool.saturation", pool, saturation);
		Counter.builder("perfkit.pool.leak.suspects").tags("pool", pool).register(this.registry).increment(leaks);
		return this;
	}

	private void gauge(String name, String pool, double value) {
		double[] holder = { value };
		Gauge.builder(name, holder, (h) -> h[0]).tags("pool", pool).strongReference(true).register(this.registry);
	}

}
