package dev.perfkit.autoconfigure.cache;

import java.time.Duration;
import java.util.Locale;

import dev.perfkit.cache.CacheStatisticsSnapshot;
import dev.perfkit.cache.CacheStatisticsSnapshot.CacheView;
import dev.perfkit.cache.TwoTierCache;
import dev.perfkit.cache.TwoTierCacheManager;
import dev.perfkit.report.ReportContributor;
import dev.perfkit.report.ReportDraft;
import dev.perfkit.report.ReportSection;

/**
 * Adds to the report's {@code cache} section what the cache meters cannot carry, read
 * from {@link TwoTierCacheManager#snapshot()}: per cache its effective settings
 * ({@code ttl}, used by the low-hit-rate recommendation, {@code localTtl}, {@code mode},
 * {@code localMaxSize}), its local size and the Redis breaker state; for the whole
 * section whether the invalidation channel is subscribed.
 * <p>
 * The cache engine keeps no statistics apart from its meters (the snapshot's counts are
 * read from them), and the report rebases meters itself on reset, so {@link #reset()}
 * has nothing to forget. The engine does not measure invalidation lag (messages carry no
 * send time), so no lag is reported.
 */
final class CacheReportContributor implements ReportContributor {

	private final TwoTierCacheManager manager;

	CacheReportContributor(TwoTierCacheManager manager) {
		this.manager = manager;
	}

	@Override
	public void contribute(ReportDraft draft) {
		CacheStatisticsSnapshot snapshot = this.manager.snapshot();
		String breaker = snapshot.breakerState().toLowerCase(Locale.ROOT).replace('_', '-');
		for (CacheView cache : snapshot.caches()) {
			String name = cache.name();
			draft.cacheDetail(name, "ttl", format(cache.ttlMillis()));
			draft.cacheDetail(name, "localTtl", format(cache.localTtlMillis()));
			draft.cacheDetail(name, "mode", cache.mode().name().toLowerCase(Locale.ROOT).replace('_', '-'));
			draft.cacheDetail(name, "localSize", cache.localSize());
			draft.cacheDetail(name, "localMaxSize", cache.localMaxSize());
			draft.cacheDetail(name, "breakerState", breaker);
			draft.cacheDetail(name, "reconciliation", cache.reconciling() ? "pending" : "none");
			freshness(draft, cache);
			if (this.manager.getCache(name) instanceof TwoTierCache twoTier) {
				draft.cacheDetail(name, "invalidation",
						twoTier.settings().invalidation().name().toLowerCase(Locale.ROOT));
			}
		}
		if (this.manager.hasRemote()) {
			draft.sectionDetail(ReportSection.CACHE, "invalidations",
					snapshot.subscribed() ? "subscribed" : "not subscribed");
			if (!"unused".equals(snapshot.tracking())) {
				draft.sectionDetail(ReportSection.CACHE, "tracking", snapshot.tracking());
			}
		}
	}

	// Freshness: stale-if-error and refresh-ahead (issue 15).

	/**
	 * Stale-if-error and refresh-ahead, for the caches that have them on: the setting and
	 * its counts since start (the same as the {@code perfkit.cache.stale.served} and
	 * {@code perfkit.cache.refreshes} meters).
	 */
	private static void freshness(ReportDraft draft, CacheView cache) {
		CacheStatisticsSnapshot.FreshnessView freshness = cache.freshness();
		CacheStatisticsSnapshot.FreshnessCounts counts = freshness.counts();
		String name = cache.name();
		if (freshness.staleIfErrorMillis() > 0) {
			draft.cacheDetail(name, "staleIfError", format(freshness.staleIfErrorMillis()));
			draft.cacheDetail(name, "staleServed", counts.staleServed());
		}
		if (freshness.refreshAhead() > 0) {
			draft.cacheDetail(name, "refreshAhead", Math.round(freshness.refreshAhead() * 100) + "%");
			draft.cacheDetail(name, "refreshesStarted", counts.refreshesStarted());
			draft.cacheDetail(name, "refreshesCompleted", counts.refreshesCompleted());
			draft.cacheDetail(name, "refreshesSkipped", counts.refreshesSkipped());
			draft.cacheDetail(name, "refreshesFailed", counts.refreshesFailed());
			draft.cacheDetail(name, "refreshesBusy", counts.refreshesBusy());
			draft.cacheDetail(name, "refreshesOvertaken", counts.refreshesOvertaken());
		}
	}

	/**
	 * A duration as people write it in properties, in its largest whole unit ({@code 5s},
	 * {@code 10m}, {@code 250ms}), so that a recommendation reads "its 5s TTL".
	 */
	static String format(long millis) {
		Duration duration = Duration.ofMillis(millis);
		if (millis == 0 || millis % 1000 != 0) {
			return millis + "ms";
		}
		if (duration.toSeconds() % 60 != 0) {
			return duration.toSeconds() + "s";
		}
		if (duration.toMinutes() % 60 != 0) {
			return duration.toMinutes() + "m";
		}
		return (duration.toHours() % 24 != 0) ? duration.toHours() + "h" : duration.toDays() + "d";
	}

	@Override
	public String toString() {
		return "cache report contributor";
	}

}
