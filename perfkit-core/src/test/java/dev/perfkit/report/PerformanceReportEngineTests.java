package dev.perfkit.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PerformanceReportEngineTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final ContractMeters meters = new ContractMeters(this.registry);

	private final List<ReportContributor> contributors = new ArrayList<>();

	private PerformanceReport report() {
		return new PerformanceReportEngine(this.registry, ReportSettings.defaults(), this.contributors).report();
	}

	@Test
	void aQuietApplicationIsExcellentWithAFullScoreAndNoAdvice() {
		PerformanceReport report = report();
		assertThat(report.status()).isEqualTo(PerformanceStatus.EXCELLENT);
		assertThat(report.score()).isEqualTo(100);
		assertThat(report.penalties()).isEmpty();
		assertThat(report.recommendations()).isEmpty();
		assertThat(report.degraded().active()).isFalse();
		assertThat(report.cache().breaker()).isEqualTo(BreakerState.CLOSED);
	}

	@Test
	void cacheSectionShowsHitRatePerTierSizeEvictionsAndRemoteFigures() {
		this.meters.gets("pricing", "local", 60, 40)
			.gets("pricing", "remote", 30, 10)
			.evictions("pricing", "local", 5)
			.puts("pricing", 20)
			.load("pricing", "success", Duration.ofMillis(20))
			.load("pricing", "failure", Duration.ofMillis(40))
			.cacheCounter("perfkit.cache.remote.errors", "pricing", 2)
			.remoteLatency("pricing", Duration.ofMillis(3))
			.cacheCounter("perfkit.cache.invalidations.sent", "pricing", 4)
			.cacheCounter("perfkit.cache.invalidations.received", "pricing", 6)
			.cacheCounter("perfkit.cache.local.flushes", "pricing", 1, "reason", "reconnect")
			.cacheCounter("perfkit.cache.decode.failures", "pricing", 3)
			.size("pricing", 42);
		CacheSection.Cache pricing = report().cache().caches().get(0);
		assertThat(pricing.name()).isEqualTo("pricing");
		assertThat(pricing.gets()).isEqualTo(100);
		assertThat(pricing.hitRate()).isEqualTo(0.9);
		assertThat(pricing.tiers()).extracting(CacheSection.Tier::tier, CacheSection.Tier::hitRate)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("local", 0.6),
					org.assertj.core.groups.Tuple.tuple("remote", 0.75));
		assertThat(pricing.size()).isEqualTo(42);
		assertThat(pricing.evictions()).isEqualTo(5);
		assertThat(pricing.puts()).isEqualTo(20);
		assertThat(pricing.loadSuccesses()).isEqualTo(1);
		assertThat(pricing.loadFailures()).isEqualTo(1);
		assertThat(pricing.meanLoadMillis()).isCloseTo(30.0, within(0.001));
		assertThat(pricing.remoteErrors()).isEqualTo(2);
		assertThat(pricing.meanRemoteLatencyMillis()).isCloseTo(3.0, within(0.001));
		assertThat(pricing.invalidationsSent()).isEqualTo(4);
		assertThat(pricing.invalidationsReceived()).isEqualTo(6);
		assertThat(pricing.localFlushes()).isEqualTo(1);
		assertThat(pricing.decodeFailures()).isEqualTo(3);
		assertThat(pricing.breaker()).isEqualTo(BreakerState.CLOSED);
	}

	@Test
	void rateLimitSectionShowsOutcomesPerTierAndPlanWithFallbacksAndBackendLatency() {
		this.meters.requests("AUTH", "free", 80, 15, 5)
			.requests("API", "pro", 10, 0, 0)
			.fallbacks("AUTH", 7)
			.backendLatency("redis", Duration.ofMillis(2));
		RateLimitSection section = report().rateLimit();
		assertThat(section.limits()).hasSize(2);
		RateLimitSection.Limit auth = section.limits().stream().filter((l) -> l.tier().equals("AUTH")).findFirst()
			.orElseThrow();
		assertThat(auth.plan()).isEqualTo("free");
		assertThat(auth.allowed()).isEqualTo(80);
		assertThat(auth.rejected()).isEqualTo(15);
		assertThat(auth.errors()).isEqualTo(5);
		assertThat(auth.rejectionRate()).isEqualTo(0.15);
		assertThat(auth.fallbacks()).isEqualTo(7);
		assertThat(section.backends()).containsEntry("redis", 2.0);
	}

	@Test
	void querySectionRanksQueriesByTotalTimeP95AndCount() {
		this.meters.query("main", "aaaa", Duration.ofMillis(1), 100)
			.query("main", "bbbb", Duration.ofMillis(300), 2)
			.query("main", "cccc", Duration.ofMillis(50), 10)
			.datasourceCounter("perfkit.query.slow", "main", 2)
			.datasourceCounter("perfkit.query.errors", "main", 1)
			.datasourceCounter("perfkit.query.n-plus-one", "main", 3)
			.fingerprints("main", 3);
		QuerySection section = report().queries();
		assertThat(section.topByTotalTime()).extracting(QuerySection.Query::fingerprint)
			.containsExactly("bbbb", "cccc", "aaaa");
		assertThat(section.topByP95()).extracting(QuerySection.Query::fingerprint)
			.containsExactly("bbbb", "cccc", "aaaa");
		assertThat(section.topByCount()).extracting(QuerySection.Query::fingerprint)
			.containsExactly("aaaa", "cccc", "bbbb");
		QuerySection.Query slowest = section.topByTotalTime().get(0);
		assertThat(slowest.count()).isEqualTo(2);
		assertThat(slowest.totalMillis()).isEqualTo(600.0);
		assertThat(slowest.meanMillis()).isEqualTo(300.0);
		assertThat(slowest.p95Millis()).isGreaterThan(250.0);
		assertThat(section.datasources()).singleElement().satisfies((main) -> {
			assertThat(main.queries()).isEqualTo(112);
			assertThat(main.slow()).isEqualTo(2);
			assertThat(main.errors()).isEqualTo(1);
			assertThat(main.nPlusOne()).isEqualTo(3);
			assertThat(main.fingerprints()).isEqualTo(3);
		});
	}

	@Test
	void topListsHoldAtMostTheConfiguredNumberOfQueries() {
		for (int i = 0; i < 5; i++) {
			this.meters.query("main", "f" + i, Duration.ofMillis(i + 1), 1);
		}
		PerformanceReport report = new PerformanceReportEngine(this.registry,
				new ReportSettings(2, 100, 0.5, 100, 0.2, 50, 0.9), List.of()).report();
		assertThat(report.queries().topByTotalTime()).extracting(QuerySection.Query::fingerprint)
			.containsExactly("f4", "f3");
	}

	@Test
	void poolSectionReadsBootsHikariMetersAndPerfkitsPoolMeters() {
		this.meters.pool("HikariPool-1", 3, 7, 10, 0, 2, 0.3, 1);
		PoolSection.Pool pool = report().pool().pools().get(0);
		assertThat(pool.name()).isEqualTo("HikariPool-1");
		assertThat(pool.active()).isEqualTo(3);
		assertThat(pool.idle()).isEqualTo(7);
		assertThat(pool.max()).isEqualTo(10);
		assertThat(pool.utilization()).isEqualTo(0.3);
		assertThat(pool.saturation()).isEqualTo(0.3);
		assertThat(pool.timeouts()).isEqualTo(2);
		assertThat(pool.leakSuspects()).isEqualTo(1);
	}

	@Test
	void aLowHitRateOverEnoughGetsGivesARecommendationWithItsEvidence() {
		this.meters.gets("pricing", "local", 120, 880);
		this.contributors.add((draft) -> draft.cacheDetail("pricing", "ttl", "5s"));
		PerformanceReport report = report();
		assertThat(report.recommendations()).singleElement().satisfies((recommendation) -> {
			assertThat(recommendation.section()).isEqualTo("cache");
			assertThat(recommendation.subject()).isEqualTo("pricing");
			assertThat(recommendation.message())
				.isEqualTo("Cache `pricing` hit rate 12% over 1,000 gets: its 5s TTL may be too short or its entries"
						+ " evicted too early.");
			assertThat(recommendation.evidence()).containsEntry("hitRate", 0.12)
				.containsEntry("gets", 1000L)
				.containsEntry("ttl", "5s");
		});
		assertThat(report.penalties()).extracting(Penalty::rule, Penalty::points)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("cache.hit-rate", 18));
		assertThat(report.score()).isEqualTo(82);
		assertThat(report.status()).isEqualTo(PerformanceStatus.GOOD);
	}

	@Test
	void aLowHitRateOnTooFewGetsIsNotJudged() {
		this.meters.gets("pricing", "local", 1, 98);
		PerformanceReport report = report();
		assertThat(report.recommendations()).isEmpty();
		assertThat(report.score()).isEqualTo(100);
	}

	@Test
	void anOpenCacheBreakerDegradesTheApplicationWithTheReasonUntilItCloses() {
		this.meters.cacheBreaker.set(2);
		PerformanceReport open = report();
		assertThat(open.status()).isEqualTo(PerformanceStatus.DEGRADED);
		assertThat(open.cache().breaker()).isEqualTo(BreakerState.OPEN);
		assertThat(open.degraded().active()).isTrue();
		assertThat(open.degraded().reasons()).singleElement().asString().contains("cache Redis circuit breaker is open");
		assertThat(open.score()).isEqualTo(75);
		this.meters.cacheBreaker.set(0);
		PerformanceReport closed = report();
		assertThat(closed.degraded().active()).isFalse();
		assertThat(closed.status()).isEqualTo(PerformanceStatus.EXCELLENT);
	}

	@Test
	void aHalfOpenRateLimitBreakerDegradesTheApplication() {
		this.meters.rateLimitBreaker.set(1);
		PerformanceReport report = report();
		assertThat(report.rateLimit().breaker()).isEqualTo(BreakerState.HALF_OPEN);
		assertThat(report.degraded().reasons()).singleElement().asString()
			.contains("rate-limit Redis circuit breaker is half-open");
		assertThat(report.status()).isEqualTo(PerformanceStatus.DEGRADED);
	}

	@Test
	void aSaturatedPoolDegradesTheApplicationAndIsRecommendedForResizing() {
		this.meters.pool("main", 10, 0, 10, 4, 0, 1.0, 0);
		PerformanceReport report = report();
		assertThat(report.degraded().reasons()).singleElement().asString()
			.isEqualTo("Connection pool `main` is saturated: 100% of its connections in use (10 of 10), 4 thread(s) waiting.");
		assertThat(report.penalties()).extracting(Penalty::rule).containsExactly("pool.saturation", "pool.waiting");
		assertThat(report.score()).isEqualTo(75);
		assertThat(report.status()).isEqualTo(PerformanceStatus.DEGRADED);
		assertThat(report.recommendations()).singleElement().satisfies((recommendation) -> {
			assertThat(recommendation.message()).startsWith("Pool `main` is at 100% utilization (10 of 10 connections)"
					+ " with 4 thread(s) waiting");
			assertThat(recommendation.evidence()).containsEntry("pending", 4L);
		});
	}

	@Test
	void manyProblemsTogetherMakeTheStatusCritical() {
		this.meters.cacheBreaker.set(2);
		this.meters.rateLimitBreaker.set(2);
		this.meters.pool("main", 10, 0, 10, 4, 3, 1.0, 1);
		PerformanceReport report = report();
		// 25 + 15 + 20 + 5 + 10 + 5
		assertThat(report.score()).isEqualTo(20);
		assertThat(report.status()).isEqualTo(PerformanceStatus.CRITICAL);
		assertThat(report.degraded().reasons()).hasSize(3);
	}

	@Test
	void rejectionsSlowQueriesAndNPlusOneCostPointsAndGiveAdvice() {
		this.meters.requests("AUTH", "free", 60, 40, 0)
			.query("main", "slow1", Duration.ofMillis(500), 5)
			.query("main", "fast1", Duration.ofMillis(1), 95)
			.datasourceCounter("perfkit.query.slow", "main", 5)
			.datasourceCounter("perfkit.query.n-plus-one", "main", 2);
		PerformanceReport report = report();
		assertThat(report.penalties()).extracting(Penalty::rule, Penalty::points)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("rateLimit.rejections", 4),
					org.assertj.core.groups.Tuple.tuple("queries.slow", 10),
					org.assertj.core.groups.Tuple.tuple("queries.n-plus-one", 5));
		assertThat(report.score()).isEqualTo(81);
		assertThat(report.recommendations()).extracting(Recommendation::section)
			.containsExactly("queries", "queries", "rateLimit");
		assertThat(report.recommendations().get(0).message())
			.startsWith("Data source `main` ran 5 slow queries out of 100 (5%); the query taking the most time is"
					+ " fingerprint `slow1` (5 runs, 500.0 ms mean");
		assertThat(report.recommendations().get(2).message())
			.startsWith("Tier `AUTH` plan `free` rejected 40% of 100 requests");
	}

	@Test
	void contributorsAddDetailsRecommendationsAndReasonsAndCreateEntriesMetersDoNotHaveYet() {
		this.meters.query("main", "aaaa", Duration.ofMillis(3), 1);
		this.contributors.add((draft) -> {
			draft.rateLimitDetail("AUTH", "free", "limit", "10/1m");
			draft.queryDetail("main", "aaaa", "sql", "select * from agent where id = ?");
			draft.poolDetail("main", "sizingHint", "10 connections suffice");
			draft.sectionDetail(ReportSection.QUERIES, "nPlusOneSuspects", List.of(Map.of("endpoint", "GET /agents")));
			draft.recommend(ReportSection.POOL, "main", "Keep it.", Map.of("evidence", 1));
			draft.degrade("Something is off.");
		});
		this.contributors.add((draft) -> {
			throw new IllegalStateException("a broken contributor");
		});
		PerformanceReport report = report();
		assertThat(report.rateLimit().limits()).singleElement().satisfies((limit) -> {
			assertThat(limit.tier()).isEqualTo("AUTH");
			assertThat(limit.plan()).isEqualTo("free");
			assertThat(limit.requests()).isZero();
			assertThat(limit.details()).containsEntry("limit", "10/1m");
		});
		assertThat(report.queries().topByCount().get(0).details()).containsEntry("sql",
				"select * from agent where id = ?");
		assertThat(report.pool().pools().get(0).details()).containsEntry("sizingHint", "10 connections suffice");
		assertThat(report.queries().details()).containsKey("nPlusOneSuspects");
		assertThat(report.recommendations()).extracting(Recommendation::message).containsExactly("Keep it.");
		assertThat(report.degraded().reasons()).containsExactly("Something is off.");
		assertThat(report.status()).isEqualTo(PerformanceStatus.DEGRADED);
	}

	@Test
	void resetStartsTheCountsAfreshWithoutTouchingTheMetersAndResetsContributors() {
		AtomicInteger resets = new AtomicInteger();
		this.contributors.add(new ReportContributor() {
			@Override
			public void contribute(ReportDraft draft) {
			}

			@Override
			public void reset() {
				resets.incrementAndGet();
			}
		});
		PerformanceReportEngine engine = new PerformanceReportEngine(this.registry, ReportSettings.defaults(),
				this.contributors);
		this.meters.gets("pricing", "local", 10, 990).query("main", "aaaa", Duration.ofMillis(2), 4);
		assertThat(engine.report().recommendations()).isNotEmpty();
		engine.reset();
		assertThat(resets).hasValue(1);
		PerformanceReport afterReset = engine.report();
		assertThat(afterReset.cache().caches().get(0).gets()).isZero();
		assertThat(afterReset.queries().topByCount()).isEmpty();
		assertThat(afterReset.recommendations()).isEmpty();
		assertThat(this.registry.get("perfkit.cache.gets").tag("result", "miss").counter().count()).isEqualTo(990);
		this.meters.gets("pricing", "local", 3, 1).query("main", "aaaa", Duration.ofMillis(2), 1);
		PerformanceReport later = engine.report();
		assertThat(later.cache().caches().get(0).gets()).isEqualTo(4);
		assertThat(later.cache().caches().get(0).hitRate()).isEqualTo(0.75);
		assertThat(later.queries().topByCount().get(0).count()).isEqualTo(1);
		assertThat(later.queries().topByCount().get(0).totalMillis()).isEqualTo(2.0);
	}

	@Test
	void theTextReportCarriesTheSameFigures() {
		this.meters.gets("pricing", "local", 120, 880)
			.requests("AUTH", "free", 8, 2, 0)
			.query("main", "aaaa", Duration.ofMillis(4), 2)
			.pool("main", 2, 8, 10, 0, 0, 0.2, 0);
		this.meters.cacheBreaker.set(2);
		String text = PlainTextReport.render(report());
		assertThat(text).contains("status: DEGRADED   score: 57/100")
			.contains("-25 cache.breaker: the cache Redis breaker is open")
			.contains("degraded: yes")
			.contains("[cache] breaker open")
			.contains("pricing: hit rate 12% over 1,000 gets")
			.contains("local  hit rate 12% (120 hits, 880 misses, 0 evictions)")
			.contains("AUTH/free: 8 allowed, 2 rejected (20%), 0 errors, 0 fallbacks")
			.contains("main: 2 queries, 0 slow, 0 errors, 0 N+1")
			.contains("main aaaa: 2 runs, 8.000 ms total, 4.000 ms mean")
			.contains("main: 2 active, 8 idle, 10 max, utilization 20%, saturation 20%, 0 waiting")
			.contains("1. [cache] Cache `pricing` hit rate 12% over 1,000 gets");
	}

}
