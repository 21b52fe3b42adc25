package dev.perfkit.autoconfigure.observability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Sets up the {@code perfkit} health group by default, as the lowest-precedence
 * property source so that any setting of the application wins: the group includes
 * {@code perfkitCache}, {@code perfkitRateLimit} and {@code perfkitPool}, and knows the
 * {@code SATURATED} status of the query module's pool indicator and the {@code DEGRADED}
 * status of the cache and the meter-based indicators (ranked, in that order, between
 * {@code OUT_OF_SERVICE} and {@code UP}, both mapped to HTTP 200), so degradation shows
 * without failing the group. Boot's aggregation drops a status missing from the order,
 * which is why both must be listed. The liveness and
 * readiness groups do not include these indicators, so degradation never fails them.
 */
class PerfkitHealthGroupEnvironmentPostProcessor implements EnvironmentPostProcessor {

	static final String PROPERTY_SOURCE = "perfkitHealthGroupDefaults";

	private static final String GROUP = "management.endpoint.health.group.perfkit.";

	private static final String HEALTH_INDICATOR = "org.springframework.boot.health.contributor.HealthIndicator";

	private static final String METRICS = "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		String[] excluded = environment.getProperty("spring.autoconfigure.exclude", String[].class, new String[0]);
		if (Arrays.asList(excluded).contains(PerfkitObservabilityAutoConfiguration.class.getName())
				|| !environment.getProperty("perfkit.enabled", Boolean.class, true)
				|| !ClassUtils.isPresent(HEALTH_INDICATOR, getClass().getClassLoader())
				|| !ClassUtils.isPresent(METRICS, getClass().getClassLoader())) {
			// Without the indicators (they need health and a meter registry) a group naming
			// them would fail Boot's group membership validation at startup.
			return;
		}
		// Boot validates the group's members at startup: leave out any indicator switched
		// off with Boot's management.health.<name>.enabled (or .defaults.enabled).
		Binder binder = Binder.get(environment);
		boolean byDefault = binder.bind("management.health.defaults.enabled", Boolean.class).orElse(true);
		List<String> members = new ArrayList<>();
		for (String member : List.of("perfkitCache", "perfkitRateLimit", "perfkitPool")) {
			if (binder.bind("management.health." + member.toLowerCase(Locale.ROOT) + ".enabled", Boolean.class)
				.orElse(byDefault)) {
				members.add(member);
			}
		}
		if (members.isEmpty()) {
			return;
		}
		Map<String, Object> defaults = new LinkedHashMap<>();
		defaults.put(GROUP + "include", String.join(",", members));
		defaults.put(GROUP + "status.order", "down,out-of-service,saturated,degraded,up,unknown");
		defaults.put(GROUP + "status.http-mapping.saturated", "200");
		defaults.put(GROUP + "status.http-mapping.degraded", "200");
		environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE, defaults));
	}

}
