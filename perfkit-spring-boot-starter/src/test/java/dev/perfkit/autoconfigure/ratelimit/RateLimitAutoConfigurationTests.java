package dev.perfkit.autoconfigure.ratelimit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import dev.perfkit.ratelimit.Algorithm;
import dev.perfkit.ratelimit.Decision;
import dev.perfkit.ratelimit.FailurePolicy;
import dev.perfkit.ratelimit.RateLimit;
import dev.perfkit.ratelimit.RateLimitExceededException;
import dev.perfkit.ratelimit.RateLimiter;
import dev.perfkit.ratelimit.Tier;
import dev.perfkit.report.PerformanceReport;
import dev.perfkit.report.PerformanceReportEngine;
import dev.perfkit.report.ReportContributor;
import dev.perfkit.report.ReportSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class RateLimitAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(org.springframework.boot.autoconfigure.aop.AopAutoConfiguration.class,
					RateLimitAutoConfiguration.class));

	@Test
	void withoutRedisTheLimiterDecidesLocally() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			RateLimiter limiter = context.getBean(RateLimiter.class);
			assertThat(limiter.check("auth", null, "k", 1).source()).isEqualTo(Decision.Source.LOCAL);
			assertThat(limiter.snapshot().backend()).isEqualTo("local");
			assertThat(context).hasSingleBean(PlanResolver.class).hasSingleBean(RateLimitProblemFactory.class);
		});
	}

	@Test
	void builtInTiersKeepTheirPresetsWhereAPropertyOverridesOnlyOneSetting() {
		this.contextRunner.withPropertyValues("perfkit.rate-limit.tiers.auth.failure-policy=deny",
				"perfkit.rate-limit.tiers.standard.limits=100/1m").run((context) -> {
					RateLimiter limiter = context.getBean(RateLimiter.class);
					Tier auth = limiter.tier("auth");
					assertThat(auth.limits()).hasToString("[5/1m]");
					assertThat(auth.algorithm()).isEqualTo(Algorithm.SLIDING_LOG);
					assertThat(auth.failurePolicy()).isEqualTo(FailurePolicy.DENY);
					assertThat(limiter.tier("standard").limits()).hasToString("[100/1m]");
					assertThat(limiter.tier("password-reset").limits()).hasToString("[3/5m]");
				});
	}

	@Test
	void userBeansReplaceThePlanResolverProblemFactoryAndLimiter() {
		this.contextRunner.withUserConfiguration(UserBeans.class).run((context) -> {
			assertThat(context.getBean(PlanResolver.class)).isSameAs(context.getBean(UserBeans.class).plans);
			assertThat(context.getBean(RateLimitProblemFactory.class))
				.isSameAs(context.getBean(UserBeans.class).problems);
		});
	}

	@Test
	void withoutAnyWebStackRateLimitingBacksOffCleanly() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("jakarta.servlet", "org.springframework.web"))
			.withUserConfiguration(Limited.class)
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(RateLimiter.class);
				assertThat(context.getBean(Limited.Service.class).once("a")).isEqualTo("a");
			});
	}

	@Test
	void aReactiveApplicationWithoutTheServletApiGetsTheWebFluxPieces() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(org.springframework.boot.autoconfigure.aop.AopAutoConfiguration.class,
					RateLimitAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("jakarta.servlet"))
			.withPropertyValues("perfkit.rate-limit.tiers.outbound.limits=1/1h")
			.withUserConfiguration(ReactiveLimited.class)
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(RateLimiter.class)
					.hasSingleBean(RateLimitWebFilter.class)
					.hasSingleBean(ReactiveRateLimitProblemFactory.class)
					.hasSingleBean(ReactivePlanResolver.class)
					.doesNotHaveBean(PlanResolver.class)
					.doesNotHaveBean(RateLimitProblemFactory.class)
					.doesNotHaveBean(RateLimitHandlerInterceptor.class)
					.doesNotHaveBean(RateLimitExceptionResolver.class);
				// A Mono under @RateLimit is limited on subscription, not on the call.
				ReactiveLimited.Service service = context.getBean(ReactiveLimited.Service.class);
				Mono<String> first = service.once("a");
				Mono<String> second = service.once("a");
				assertThat(first.block()).isEqualTo("a");
				assertThatExceptionOfType(RateLimitExceededException.class).isThrownBy(second::block);
			});
	}

	@Test
	void aUserReactivePlanResolverReplacesTheDefaultOneWhichAnswersByAuthentication() {
		ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RateLimitAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("jakarta.servlet"));
		runner.run((context) -> {
			ReactivePlanResolver plans = context.getBean(ReactivePlanResolver.class);
			ServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/"));
			assertThat(plans.resolve(null, exchange).block()).isEqualTo(PlanResolver.ANONYMOUS);
			assertThat(plans.resolve(() -> "ann", exchange).block()).isEqualTo(PlanResolver.AUTHENTICATED);
		});
		ReactivePlanResolver own = (principal, exchange) -> Mono.just("pro");
		runner.withBean(ReactivePlanResolver.class, () -> own)
			.run((context) -> assertThat(context).getBean(ReactivePlanResolver.class).isSameAs(own));
	}

	@Test
	void aServletApplicationHasNoWebFluxPieces() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(org.springframework.boot.autoconfigure.aop.AopAutoConfiguration.class,
					RateLimitAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(RateLimitHandlerInterceptor.class)
				.hasSingleBean(PlanResolver.class)
				.doesNotHaveBean(RateLimitWebFilter.class)
				.doesNotHaveBean(ReactiveRateLimitProblemFactory.class));
	}

	@Test
	void withoutAWebApplicationButWithSpringWebOnlyTheAdvisorLimits() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("jakarta.servlet"))
			.withPropertyValues("perfkit.rate-limit.tiers.outbound.limits=1/1h")
			.withUserConfiguration(Limited.class)
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(RateLimiter.class)
					.doesNotHaveBean(RateLimitWebFilter.class)
					.doesNotHaveBean(RateLimitHandlerInterceptor.class);
				// Keyed by ip and called outside any request: the missing key exempts it.
				assertThat(context.getBean(Limited.Service.class).once("a")).isEqualTo("a");
				assertThat(context.getBean(Limited.Service.class).once("a")).isEqualTo("a");
				assertThat(org.springframework.aop.support.AopUtils.isAopProxy(context.getBean(Limited.Service.class)))
					.isTrue();
			});
	}

	@Test
	void theServletApiWithoutSpringWebBacksOffInsteadOfFailingOnMissingWebClasses() {
		// Before: NoClassDefFoundError org/springframework/http/HttpStatusCode creating
		// perfkitRateLimitProblemFactory.
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.web", "org.springframework.http"))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(RateLimiter.class));
	}

	@Test
	void withoutRedisOnTheClassPathTheLimiterDecidesLocally() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("io.lettuce", "org.springframework.data.redis"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(RateLimiter.class).check("auth", null, "k", 1).source())
					.isEqualTo(Decision.Source.LOCAL);
			});
	}

	@Test
	void disabledLeavesNoLimiter() {
		this.contextRunner.withPropertyValues("perfkit.rate-limit.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RateLimiter.class));
	}

	@Test
	void aMalformedLimitStopsStartupNamingThePropertyAndTheFix() {
		this.contextRunner.withPropertyValues("perfkit.rate-limit.tiers.webhooks.limits=20 per minute")
			.run((context) -> assertThat(analysis(context.getStartupFailure()))
				.satisfies((analysis) -> {
					assertThat(analysis.getDescription()).contains("perfkit.rate-limit.tiers.webhooks.limits")
						.contains("20 per minute");
					assertThat(analysis.getAction()).contains("N/duration");
				}));
	}

	@Test
	void anUnknownTierInAnAnnotationStopsStartup() {
		this.contextRunner.withUserConfiguration(UnknownTier.class)
			.run((context) -> assertThat(analysis(context.getStartupFailure()).getDescription())
				.contains("perfkit.rate-limit.tiers.no-such-tier")
				.contains("UnknownTierService.call()"));
	}

	@Test
	void aTierWithOnlyPlansAndNoDefaultPlanStopsStartupInsteadOfLeavingOtherPlansUnlimited() {
		this.contextRunner.withPropertyValues("perfkit.rate-limit.tiers.scan.plans.free=10/1h")
			.run((context) -> assertThat(analysis(context.getStartupFailure())).satisfies((analysis) -> {
				assertThat(analysis.getDescription()).contains("perfkit.rate-limit.tiers.scan.default-plan")
					.contains("not be limited");
				assertThat(analysis.getAction()).contains("default-plan");
			}));
		this.contextRunner
			.withPropertyValues("perfkit.rate-limit.tiers.scan.plans.free=10/1h",
					"perfkit.rate-limit.tiers.scan.default-plan=gold")
			.run((context) -> assertThat(analysis(context.getStartupFailure()).getDescription()).contains("gold"));
	}

	@Test
	void aSlidingLogAboveItsCapStopsStartupSuggestingTheSlidingWindow() {
		this.contextRunner
			.withPropertyValues("perfkit.rate-limit.tiers.bulk.limits=10000/1m",
					"perfkit.rate-limit.tiers.bulk.algorithm=sliding-log")
			.run((context) -> assertThat(analysis(context.getStartupFailure())).satisfies((analysis) -> {
				assertThat(analysis.getDescription()).contains("perfkit.rate-limit.tiers.bulk.algorithm")
					.contains("at most 1000");
				assertThat(analysis.getAction()).contains("sliding-window");
			}));
		this.contextRunner
			.withPropertyValues("perfkit.rate-limit.tiers.bulk.limits=10000/1m",
					"perfkit.rate-limit.tiers.bulk.algorithm=sliding-window")
			.run((context) -> assertThat(context.getBean(RateLimiter.class).tier("bulk").algorithm())
				.isEqualTo(Algorithm.SLIDING_WINDOW));
	}

	@Test
	void aCostBelowOneStopsStartup() {
		this.contextRunner.withUserConfiguration(Free.class)
			.run((context) -> assertThat(analysis(context.getStartupFailure()).getDescription()).contains("costs 0"));
	}

	@Test
	void chargeOnStatusWithoutSpringMvcStopsStartup() {
		this.contextRunner.withUserConfiguration(TooCostly.class)
			.withPropertyValues("perfkit.rate-limit.tiers.auth.charge-on-status=401")
			.withPropertyValues("perfkit.rate-limit.tiers.auth.limits=10/1m")
			.run((context) -> assertThat(analysis(context.getStartupFailure()).getDescription())
				.contains("perfkit.rate-limit.tiers.auth.charge-on-status")
				.contains("no Spring MVC request"));
	}

	@Test
	void aCostAboveTheSmallestCapacityStopsStartup() {
		this.contextRunner.withUserConfiguration(TooCostly.class)
			.run((context) -> assertThat(analysis(context.getStartupFailure()).getDescription())
				.contains("perfkit.rate-limit.tiers.auth.limits").contains("costs 6"));
	}

	@Test
	void badLeaseSettingsStopStartupNamingTheProperty() {
		assertLeaseFailure("perfkit.rate-limit.tiers.relaxed.lease.batch", "at least 2",
				"perfkit.rate-limit.tiers.relaxed.lease.batch=1");
		assertLeaseFailure("perfkit.rate-limit.tiers.relaxed.lease.batch", "at least 2",
				"perfkit.rate-limit.tiers.relaxed.lease.batch=-5");
		assertLeaseFailure("perfkit.rate-limit.tiers.auth.lease.batch", "algorithm=token-bucket",
				"perfkit.rate-limit.tiers.auth.lease.batch=2");
		assertLeaseFailure("perfkit.rate-limit.tiers.relaxed.lease.batch", "at most 120",
				"perfkit.rate-limit.tiers.relaxed.lease.batch=121");
		assertLeaseFailure("perfkit.rate-limit.tiers.scan.lease.batch", "at most 5",
				"perfkit.rate-limit.tiers.scan.lease.batch=10", "perfkit.rate-limit.tiers.scan.plans.free=5/1h",
				"perfkit.rate-limit.tiers.scan.plans.pro=500/1h", "perfkit.rate-limit.tiers.scan.default-plan=pro");
		assertLeaseFailure("perfkit.rate-limit.tiers.burst.lease.duration", "at most 500ms",
				"perfkit.rate-limit.tiers.burst.limits=100/500ms", "perfkit.rate-limit.tiers.burst.lease.batch=10");
		assertLeaseFailure("perfkit.rate-limit.tiers.relaxed.lease.duration", "such as 1s",
				"perfkit.rate-limit.tiers.relaxed.lease.batch=10", "perfkit.rate-limit.tiers.relaxed.lease.duration=0s");
	}

	private void assertLeaseFailure(String property, String action, String... properties) {
		this.contextRunner.withPropertyValues(properties)
			.run((context) -> assertThat(analysis(context.getStartupFailure())).satisfies((analysis) -> {
				assertThat(analysis.getDescription()).contains(property);
				assertThat(analysis.getAction()).contains(property).contains(action);
			}));
	}

	@Test
	void aLeaseWithoutRedisLeavesTheTierDecidedLocally() {
		this.contextRunner
			.withPropertyValues("perfkit.rate-limit.tiers.relaxed.lease.batch=10",
					"perfkit.rate-limit.tiers.relaxed.lease.duration=2s")
			.run((context) -> {
				RateLimiter limiter = context.getBean(RateLimiter.class);
				assertThat(limiter.check("relaxed", null, "k", 1).source()).isEqualTo(Decision.Source.LOCAL);
				assertThat(limiter.snapshot().backend()).isEqualTo("local");
			});
	}

	@Test
	void aRedisBackendWithoutRedisStopsStartup() {
		this.contextRunner.withPropertyValues("perfkit.rate-limit.backend=redis")
			.run((context) -> assertThat(analysis(context.getStartupFailure()).getDescription())
				.contains("perfkit.rate-limit.backend"));
	}

	@Test
	void aLimitedBeanOutsideMvcThrowsTheTypedExceptionAndAWaitingOneWaits() {
		this.contextRunner.withUserConfiguration(Limited.class)
			// Long enough that the second call of "a" always falls in the first one's window,
			// however slow the machine; the waiting call waits it out (less than its 5s).
			.withPropertyValues("perfkit.rate-limit.tiers.outbound.limits=1/2s",
					"perfkit.rate-limit.tiers.outbound.key=#account")
			.run((context) -> {
				Limited.Service service = context.getBean(Limited.Service.class);
				service.once("a");
				assertThatExceptionOfType(RateLimitExceededException.class).isThrownBy(() -> service.once("a"))
					.satisfies((ex) -> assertThat(ex.getDecision().quota().tier()).isEqualTo("outbound"));
				service.once("b");
				service.waiting("c");
				assertThat(service.waiting("c")).isEqualTo("c");
			});
	}

	/** Analyze a startup failure with the failure analyzers registered in spring.factories. */
	private static FailureAnalysis analysis(Throwable failure) {
		assertThat(failure).isNotNull();
		for (FailureAnalyzer analyzer : SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, ArgumentResolver.none(), FailureHandler.handleMessage((message, ex) -> {
				// analyzers that need a bean factory are not the ones under test
			}))) {
			FailureAnalysis analysis = analyzer.analyze(failure);
			if (analysis != null && analysis.getCause() instanceof InvalidPerfkitPropertyException) {
				return analysis;
			}
		}
		throw new AssertionError("No perfkit failure analysis for " + failure);
	}

	@Test
	void aReportContributorNamesEveryTierAndPlanWithItsEffectiveLimitsBeforeAnyTraffic() {
		this.contextRunner.withPropertyValues("perfkit.rate-limit.tiers.scan.plans.free=10/1h,100/30d",
				"perfkit.rate-limit.tiers.scan.default-plan=free")
			.run((context) -> {
				PerformanceReport report = new PerformanceReportEngine(new SimpleMeterRegistry(),
						ReportSettings.defaults(),
						List.of(context.getBean("perfkitRateLimitReportContributor", ReportContributor.class)))
					.report();
				Map<String, Object> limits = new HashMap<>();
				report.rateLimit().limits().forEach((limit) -> limits.put(limit.tier() + "/" + limit.plan(),
						limit.details().get("limit")));
				assertThat(limits).containsEntry("auth/default", "5/1m")
					.containsEntry("password-reset/default", "3/5m")
					.containsEntry("scan/free", "10/1h,100/30d")
					.doesNotContainKey("scan/default");
				assertThat(report.rateLimit().limits()).allSatisfy((limit) -> assertThat(limit.requests()).isZero());
			});
	}

	@Test
	void aUserReportContributorOfTheSameNameReplacesTheRateLimitOne() {
		ReportContributor own = (draft) -> {
		};
		this.contextRunner.withBean("perfkitRateLimitReportContributor", ReportContributor.class, () -> own)
			.run((context) -> assertThat(context.getBean("perfkitRateLimitReportContributor")).isSameAs(own));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserBeans {

		final PlanResolver plans = (principal, request) -> "gold";

		final RateLimitProblemFactory problems = RateLimitProblemFactory.standard();

		@Bean
		PlanResolver plans() {
			return this.plans;
		}

		@Bean
		RateLimitProblemFactory problems() {
			return this.problems;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnknownTier {

		@Bean
		UnknownTierService unknownTierService() {
			return new UnknownTierService();
		}

	}

	static class UnknownTierService {

		@RateLimit(tier = "no-such-tier")
		void call() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TooCostly {

		@Bean
		TooCostlyService tooCostlyService() {
			return new TooCostlyService();
		}

	}

	static class TooCostlyService {

		@RateLimit(tier = "auth", cost = 6)
		void call() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Free {

		@Bean
		FreeService freeService() {
			return new FreeService();
		}

	}

	static class FreeService {

		@RateLimit(tier = "auth", cost = 0)
		void call() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ReactiveLimited {

		@Bean
		Service service() {
			return new Service();
		}

		public static class Service {

			@RateLimit(tier = "outbound", key = "#account")
			public Mono<String> once(String account) {
				return Mono.just(account);
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Limited {

		@Bean
		Service service() {
			return new Service();
		}

		public static class Service {

			@RateLimit(tier = "outbound")
			public String once(String account) {
				return account;
			}

			@RateLimit(tier = "outbound", maxWait = "5s")
			public String waiting(String account) {
				return account;
			}

		}

	}

}
