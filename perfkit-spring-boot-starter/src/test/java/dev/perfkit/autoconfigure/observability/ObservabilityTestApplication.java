package dev.perfkit.autoconfigure.observability;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * A small web application with actuator and perfkit whose meters are registered the way
 * the meter contract says the engines register them, with some traffic on them. Its
 * actuator endpoints are secured as {@code docs/observability.md} recommends.
 */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = {
		"org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
		"org.springframework.boot.data.redis.autoconfigure.DataRedisRepositoriesAutoConfiguration",
		"org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration",
		"org.springframework.boot.data.redis.autoconfigure.health.DataRedisHealthContributorAutoConfiguration",
		"org.springframework.boot.data.redis.autoconfigure.health.DataRedisReactiveHealthContributorAutoConfiguration" })
class ObservabilityTestApplication {

	/** The cache breaker gauge's value: 0 closed, 1 half-open, 2 open. */
	static final AtomicInteger cacheBreaker = new AtomicInteger();

	static ConfigurableApplicationContext start(String... properties) {
		List<String> all = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off",
				"management.endpoints.web.exposure.include=perfkit,health,prometheus",
				"management.endpoint.health.show-details=always",
				"spring.security.user.name=ops", "spring.security.user.password=secret",
				"spring.security.user.roles=ACTUATOR", "spring.datasource.url=jdbc:h2:mem:obs;DB_CLOSE_DELAY=-1",
				"spring.datasource.hikari.pool-name=obs"));
		all.addAll(List.of(properties));
		return new SpringApplicationBuilder(ObservabilityTestApplication.class).properties(all.toArray(String[]::new))
			.run();
	}

	@Bean
	SecurityFilterChain managementSecurity(HttpSecurity http, Environment environment) {
		if (environment.getProperty("observability-test.open-actuator", Boolean.class, false)) {
			// The browser test cannot type credentials: open the actuator for it alone.
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll()).build();
		}
		return http.securityMatcher(EndpointRequest.toAnyEndpoint())
			.authorizeHttpRequests((requests) -> requests.requestMatchers(EndpointRequest.to("health"))
				.permitAll()
				.anyRequest()
				.hasRole("ACTUATOR"))
			.httpBasic(Customizer.withDefaults())
			// Machine clients with basic credentials; a browser session would keep CSRF protection.
			.csrf((csrf) -> csrf.ignoringRequestMatchers(EndpointRequest.toAnyEndpoint()))
			.build();
	}

	@Bean
	MeterBinder contractMeters() {
		return (registry) -> {
			gets(registry, "pricing", "local", 120, 880);
			gets(registry, "pricing", "remote", 80, 800);
			Gauge.builder("perfkit.cache.size", () -> 42).tags("cache", "pricing", "tier", "local").register(registry);
			Gauge.builder("perfkit.cache.breaker.state", cacheBreaker, AtomicInteger::get).register(registry);
			Gauge.builder("perfkit.ratelimit.breaker.state", () -> 0).register(registry);
			requests(registry, "AUTH", "free", 60, 40);
			requests(registry, "API", "pro", 300, 0);
			Timer slow = Timer.builder("perfkit.query.duration").tags("datasource", "dataSource", "fingerprint", "9f2c")
				.register(registry);
			Timer fast = Timer.builder("perfkit.query.duration").tags("datasource", "dataSource", "fingerprint", "a11b")
				.register(registry);
			for (int i = 0; i < 60; i++) {
				fast.record(java.time.Duration.ofMillis(2));
			}
			slow.record(java.time.Duration.ofMillis(800));
			Counter.builder("perfkit.query.slow").tags("datasource", "dataSource").register(registry).increment();
			Counter.builder("perfkit.query.n-plus-one").tags("datasource", "dataSource").register(registry).increment();
			// The rest of the contract, quiet.
			for (String name : List.of("perfkit.cache.remote.errors", "perfkit.cache.invalidations.sent",
					"perfkit.cache.invalidations.received", "perfkit.cache.decode.failures")) {
				Counter.builder(name).tags("cache", "pricing").register(registry);
			}
			Counter.builder("perfkit.cache.puts").tags("cache", "pricing", "tier", "local").register(registry).increment(7);
			Counter.builder("perfkit.cache.evictions").tags("cache", "pricing", "tier", "local").register(registry)
				.increment(3);
			Counter.builder("perfkit.cache.local.flushes").tags("cache", "pricing", "reason", "reconnect")
				.register(registry);
			Timer.builder("perfkit.cache.loads").tags("cache", "pricing", "result", "success").register(registry);
			Timer.builder("perfkit.cache.remote.latency").tags("cache", "pricing").register(registry);
			Timer.builder("perfkit.ratelimit.backend.latency").tags("backend", "redis").register(registry);
			Counter.builder("perfkit.ratelimit.fallbacks").tags("tier", "AUTH").register(registry).increment(2);
			Counter.builder("perfkit.query.errors").tags("datasource", "dataSource").register(registry);
			Gauge.builder("perfkit.query.fingerprints", () -> 2).tags("datasource", "dataSource").register(registry);
			Gauge.builder("perfkit.pool.saturation", () -> 0.25).tags("pool", "obs").register(registry);
			Counter.builder("perfkit.pool.leak.suspects").tags("pool", "obs").register(registry);
		};
	}

	private static void gets(MeterRegistry registry, String cache, String tier, long hits, long misses) {
		Counter.builder("perfkit.cache.gets").tags("cache", cache, "tier", tier, "result", "hit").register(registry)
			.increment(hits);
		Counter.builder("perfkit.cache.gets").tags("cache", cache, "tier", tier, "result", "miss").register(registry)
			.increment(misses);
	}

	private static void requests(MeterRegistry registry, String tier, String plan, long allowed, long rejected) {
		Counter.builder("perfkit.ratelimit.requests").tags("tier", tier, "plan", plan, "outcome", "allowed")
			.register(registry).increment(allowed);
		Counter.builder("perfkit.ratelimit.requests").tags("tier", tier, "plan", plan, "outcome", "rejected")
			.register(registry).increment(rejected);
	}

}
