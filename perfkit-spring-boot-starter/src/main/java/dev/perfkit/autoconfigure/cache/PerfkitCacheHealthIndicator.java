package dev.perfkit.autoconfigure.cache;

import dev.perfkit.cache.CacheStatisticsSnapshot;
import dev.perfkit.cache.TwoTierCacheManager;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of the cache's remote tier. A Redis outage is reported as {@code DEGRADED}
 * with {@code state: degraded}, never as {@code DOWN}: while Redis is away every cache
 * call still succeeds from the local tier and the loaders, so the application is not
 * down and an orchestrator must not restart it. {@code DEGRADED} is the status the
 * {@code perfkit} health group ranks between {@code OUT_OF_SERVICE} and {@code UP} and
 * maps to HTTP 200; Boot's default aggregation ignores a status it does not know, so the
 * overall health and the liveness and readiness groups stay {@code UP}. The details say
 * what is degraded.
 */
final class PerfkitCacheHealthIndicator extends AbstractHealthIndicator {

	/** The remote tier is unavailable: the cache serves from its local tier and loaders. */
	static final Status DEGRADED = new Status("DEGRADED", "Redis is unavailable; the cache serves locally");

	private final TwoTierCacheManager manager;

	PerfkitCacheHealthIndicator(TwoTierCacheManager manager) {
		super("perfkit cache health check failed");
		this.manager = manager;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		CacheStatisticsSnapshot snapshot = this.manager.snapshot();
		builder.up().withDetail("caches", snapshot.caches().size());
		if (!this.manager.hasRemote()) {
			builder.withDetail("state", "local-only");
			return;
		}
		boolean reconciling = snapshot.caches().stream().anyMatch(CacheStatisticsSnapshot.CacheView::reconciling);
		boolean healthy = snapshot.redisAvailable() && snapshot.subscribed() && !reconciling
				&& !"off".equals(snapshot.tracking());
		if (!healthy) {
			builder.status(DEGRADED);
		}
		builder.withDetail("state", healthy ? "ok" : "degraded")
			.withDetail("redis", snapshot.redisAvailable() ? "available" : "unavailable")
			.withDetail("invalidations", snapshot.subscribed() ? "subscribed" : "not subscribed")
			.withDetail("breaker", snapshot.breakerState())
			.withDetail("reconciliation", reconciling ? "pending" : "none");
		if (!"unused".equals(snapshot.tracking())) {
			builder.withDetail("tracking", snapshot.tracking());
		}
	}

}
