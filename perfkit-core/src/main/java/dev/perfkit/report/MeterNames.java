package dev.perfkit.report;

import java.util.List;

/**
 * The meters the report is built on: perfkit's meter contract and the Boot HikariCP
 * meters it reads. {@code docs/observability.md} lists the perfkit ones in its meter
 * table, and a test keeps the two in step.
 */
public final class MeterNames {

	/** Cache gets, tags {@code cache}, {@code tier}, {@code result} = hit|miss. */
	public static final String CACHE_GETS = "perfkit.cache.gets";

	/** Cache puts, tags {@code cache}, {@code tier}. */
	public static final String CACHE_PUTS = "perfkit.cache.puts";

	/** Cache evictions, tags {@code cache}, {@code tier}. */
	public static final String CACHE_EVICTIONS = "perfkit.cache.evictions";

	/** Cache loads (timer), tags {@code cache}, {@code result} = success|failure. */
	public static final String CACHE_LOADS = "perfkit.cache.loads";

	/** Failed Redis calls of the cache, tag {@code cache}. */
	public static final String CACHE_REMOTE_ERRORS = "perfkit.cache.remote.errors";

	/** Redis call time of the cache (timer), tag {@code cache}. */
	public static final String CACHE_REMOTE_LATENCY = "perfkit.cache.remote.latency";

	/** Invalidation messages published, tag {@code cache}. */
	public static final String CACHE_INVALIDATIONS_SENT = "perfkit.cache.invalidations.sent";

	/** Invalidation messages received, tag {@code cache}. */
	public static final String CACHE_INVALIDATIONS_RECEIVED = "perfkit.cache.invalidations.received";

	/** Whole local-tier flushes, tags {@code cache}, {@code reason}. */
	public static final String CACHE_LOCAL_FLUSHES = "perfkit.cache.local.flushes";

	/** Remote values that could not be decoded, tag {@code cache}. */
	public static final String CACHE_DECODE_FAILURES = "perfkit.cache.decode.failures";

	/** Local-tier entries (gauge), tags {@code cache}, {@code tier} = local. */
	public static final String CACHE_SIZE = "perfkit.cache.size";

	/** The cache engine's Redis breaker (gauge: 0 closed, 1 half-open, 2 open). */
	public static final String CACHE_BREAKER_STATE = "perfkit.cache.breaker.state";

	/** Expired values served because the loader threw (stale-if-error), tag {@code cache}. */
	public static final String CACHE_STALE_SERVED = "perfkit.cache.stale.served";

	/** Refresh-ahead reloads, tags {@code cache}, {@code result}. */
	public static final String CACHE_REFRESHES = "perfkit.cache.refreshes";

	/** Rate-limit decisions, tags {@code tier}, {@code plan}, {@code outcome} = allowed|rejected|error. */
	public static final String RATELIMIT_REQUESTS = "perfkit.ratelimit.requests";

	/** Rate-limit decision time (timer), tag {@code backend} = redis|local. */
	public static final String RATELIMIT_BACKEND_LATENCY = "perfkit.ratelimit.backend.latency";

	/** Decisions taken by the local fallback while Redis was unavailable, tag {@code tier}. */
	public static final String RATELIMIT_FALLBACKS = "perfkit.ratelimit.fallbacks";

	/** The rate limiter's Redis breaker (gauge: 0 closed, 1 half-open, 2 open). */
	public static final String RATELIMIT_BREAKER_STATE = "perfkit.ratelimit.breaker.state";

	/** Query time (timer), tags {@code datasource}, {@code fingerprint}. */
	public static final String QUERY_DURATION = "perfkit.query.duration";

	/** Failed queries, tag {@code datasource}. */
	public static final String QUERY_ERRORS = "perfkit.query.errors";

	/** Slow queries, tag {@code datasource}. */
	public static final String QUERY_SLOW = "perfkit.query.slow";

	/** Slow queries whose log line the per-second bound held back, tag {@code datasource}. */
	public static final String QUERY_SLOW_LOG_SUPPRESSED = "perfkit.query.slow.log.suppressed";

	/** N+1 patterns detected, tag {@code datasource}. */
	public static final String QUERY_N_PLUS_ONE = "perfkit.query.n-plus-one";

	/** Distinct query shapes tracked (gauge), tag {@code datasource}. */
	public static final String QUERY_FINGERPRINTS = "perfkit.query.fingerprints";

	/** Connections held longer than the leak threshold, tag {@code pool}. */
	public static final String POOL_LEAK_SUSPECTS = "perfkit.pool.leak.suspects";

	/** Pool saturation (gauge, 0..1), tag {@code pool}. */
	public static final String POOL_SATURATION = "perfkit.pool.saturation";

	/** Boot's HikariCP meter: connections in use, tag {@code pool}. */
	public static final String HIKARI_ACTIVE = "hikaricp.connections.active";

	/** Boot's HikariCP meter: idle connections, tag {@code pool}. */
	public static final String HIKARI_IDLE = "hikaricp.connections.idle";

	/** Boot's HikariCP meter: maximum pool size, tag {@code pool}. */
	public static final String HIKARI_MAX = "hikaricp.connections.max";

	/** Boot's HikariCP meter: threads waiting for a connection, tag {@code pool}. */
	public static final String HIKARI_PENDING = "hikaricp.connections.pending";

	/** Boot's HikariCP meter: connection requests that timed out, tag {@code pool}. */
	public static final String HIKARI_TIMEOUT = "hikaricp.connections.timeout";

	/** Every perfkit meter the report reads (the meter contract). */
	public static final List<String> PERFKIT = List.of(CACHE_GETS, CACHE_PUTS, CACHE_EVICTIONS, CACHE_LOADS,
			CACHE_REMOTE_ERRORS, CACHE_REMOTE_LATENCY, CACHE_INVALIDATIONS_SENT, CACHE_INVALIDATIONS_RECEIVED,
			CACHE_LOCAL_FLUSHES, CACHE_DECODE_FAILURES, CACHE_SIZE, CACHE_BREAKER_STATE, CACHE_STALE_SERVED,
			CACHE_REFRESHES, RATELIMIT_REQUESTS,
			RATELIMIT_BACKEND_LATENCY, RATELIMIT_FALLBACKS, RATELIMIT_BREAKER_STATE, QUERY_DURATION, QUERY_ERRORS,
			QUERY_SLOW, QUERY_SLOW_LOG_SUPPRESSED, QUERY_N_PLUS_ONE, QUERY_FINGERPRINTS, POOL_LEAK_SUSPECTS,
			POOL_SATURATION);

	/** The Boot meters the report reads. */
	public static final List<String> BOOT = List.of(HIKARI_ACTIVE, HIKARI_IDLE, HIKARI_MAX, HIKARI_PENDING,
			HIKARI_TIMEOUT);

	private MeterNames() {
	}

}
