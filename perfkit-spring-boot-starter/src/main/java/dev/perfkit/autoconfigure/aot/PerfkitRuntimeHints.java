package dev.perfkit.autoconfigure.aot;

import dev.perfkit.autoconfigure.cache.Percent;
import dev.perfkit.cache.CacheStatisticsSnapshot;
import dev.perfkit.report.CacheSection;
import dev.perfkit.report.Degradation;
import dev.perfkit.report.Penalty;
import dev.perfkit.report.PerformanceReport;
import dev.perfkit.report.PoolSection;
import dev.perfkit.report.QuerySection;
import dev.perfkit.report.RateLimitSection;
import dev.perfkit.report.Recommendation;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What perfkit needs at run time that AOT processing cannot see in the bean definitions,
 * for native images (on the JVM in AOT mode everything is reachable anyway):
 * <ul>
 * <li>resources read by name: the rate limiter's Lua script and the dashboard page;</li>
 * <li>the report's types, written as JSON by the {@code perfkit} endpoint's sections
 * (declared as {@code Object}, so Boot's endpoint hints do not reach them) and by the
 * health details;</li>
 * <li>{@code Percent.valueOf}, which Boot's binder finds by reflection to convert
 * {@code refresh-ahead: 80%}.</li>
 * </ul>
 * The types of values the application caches are registered per application by
 * {@link CachedValueTypesAotProcessor}. Registered through {@code META-INF/spring/aot.factories}.
 */
public class PerfkitRuntimeHints implements RuntimeHintsRegistrar {

	/** The rate limiter's script, read by {@code RedisRateLimiter}. */
	static final String RATE_LIMIT_SCRIPT = "dev/perfkit/ratelimit/check.lua";

	/** The dashboard page, read by {@code PerfkitDashboard}. */
	static final String DASHBOARD = "META-INF/perfkit/dashboard.html";

	private static final Class<?>[] JSON_TYPES = { PerformanceReport.class, CacheSection.class,
			RateLimitSection.class, QuerySection.class, PoolSection.class, Recommendation.class, Degradation.class,
			Penalty.class, CacheStatisticsSnapshot.class };

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.resources().registerPattern(RATE_LIMIT_SCRIPT).registerPattern(DASHBOARD);
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), JSON_TYPES);
		// Freshness (issue 15): Boot converts 'refresh-ahead: 80%' through Percent.valueOf,
		// found by reflection.
		hints.reflection()
			.registerType(Percent.class, MemberCategory.INVOKE_PUBLIC_METHODS, MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS);
	}

}
