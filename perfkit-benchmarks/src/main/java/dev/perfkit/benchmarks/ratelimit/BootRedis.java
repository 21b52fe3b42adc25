package dev.perfkit.benchmarks.ratelimit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.perfkit.ratelimit.Algorithm;
import dev.perfkit.ratelimit.FailurePolicy;
import dev.perfkit.ratelimit.Limit;
import dev.perfkit.ratelimit.LeasePolicy;
import dev.perfkit.ratelimit.LeasingRateLimiter;
import dev.perfkit.ratelimit.LocalRateLimiter;
import dev.perfkit.ratelimit.Quota;
import dev.perfkit.ratelimit.RateLimiter;
import dev.perfkit.ratelimit.RedisRateLimiter;
import dev.perfkit.ratelimit.Tier;
import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorFactory;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Redis as an application gets it from Spring Boot: the {@code LettuceConnectionFactory}
 * that Boot's auto-configuration builds, whose client resources carry Boot's Lettuce
 * observation because the application has a {@code MeterRegistry} and an
 * {@code ObservationRegistry} (as every application with the actuator does). perfkit's
 * connector, the Spring-Cloud-Gateway-style script and bucket4j all run on that one client.
 */
@State(Scope.Benchmark)
public class BootRedis {

	/**
	 * A minimal token bucket in the style of Spring Cloud Gateway's
	 * {@code request_rate_limiter.lua}: two string keys, Redis {@code TIME} in whole
	 * seconds, refill by rate, {@code SETEX} both keys. No figures beyond the level.
	 */
	static final String GATEWAY_SCRIPT = """
			local tokens_key = KEYS[1]
			local timestamp_key = KEYS[2]
			local rate = tonumber(ARGV[1])
			local capacity = tonumber(ARGV[2])
			local now = tonumber(redis.call('TIME')[1])
			local requested = tonumber(ARGV[3])
			local fill_time = capacity / rate
			local ttl = math.floor(fill_time * 2)
			if ttl < 1 then ttl = 1 end
			local last_tokens = tonumber(redis.call('get', tokens_key))
			if last_tokens == nil then last_tokens = capacity end
			local last_refreshed = tonumber(redis.call('get', timestamp_key))
			if last_refreshed == nil then last_refreshed = 0 end
			local delta = math.max(0, now - last_refreshed)
			local filled_tokens = math.min(capacity, last_tokens + (delta * rate))
			local allowed = filled_tokens >= requested
			local new_tokens = filled_tokens
			local allowed_num = 0
			if allowed then
			  new_tokens = filled_tokens - requested
			  allowed_num = 1
			end
			redis.call('setex', tokens_key, ttl, new_tokens)
			redis.call('setex', timestamp_key, ttl, now)
			return { allowed_num, new_tokens }
			""";

	ConfigurableApplicationContext context;

	RedisConnector connector;

	RedisRateLimiter perfkit;

	Quota quota;

	StatefulRedisConnection<byte[], byte[]> gatewayConnection;

	RedisCommands<byte[], byte[]> gateway;

	String gatewaySha;

	byte[][] gatewayKeys;

	byte[][] gatewayArgs;

	/** A limiter whose hot key is exhausted, with the local shortcut. */
	RateLimiter rejectingWithShortcut;

	/** A hot key under a limit it never reaches: one script call per check. */
	RateLimiter admitting;

	/** The same, leasing up to 50 permits per script call. */
	RateLimiter admittingLeased;

	/** The same, asking Redis on every check. */
	RateLimiter rejectingWithoutShortcut;

	/** bucket4j's Lettuce proxy on an exhausted bucket. */
	BucketProxy rejectingBucket4j;

	/** A limiter whose hot key always admits, with the shortcut and the single-flight. */
	RateLimiter admittingWithShortcut;

	/** The same, without either. */
	RateLimiter admittingWithoutShortcut;

	String admittingKey;

	@Setup(Level.Trial)
	public void setUp() throws InterruptedException {
		int port = Integer.getInteger("redis.port", 6379);
		this.context = new SpringApplicationBuilder(Application.class).web(WebApplicationType.NONE)
			.properties("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + port,
					"spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
					"perfkit.redis.command-timeout=5s", "logging.level.root=warn",
					"perfkit.redis.observation=" + observation())
			.run();
		RedisConnectorFactory factory = this.context.getBean(RedisConnectorFactory.class);
		this.connector = factory.create("ratelimit");
		this.connector.connect();
		RateLimitBenchmark.awaitAvailable(this.connector);
		this.perfkit = new RedisRateLimiter(this.connector);
		this.quota = RateLimitBenchmark.quota("bench-" + UUID.randomUUID());
		RedisClient client = (RedisClient) this.context.getBean(LettuceConnectionFactory.class).getRequiredNativeClient();
		this.gatewayConnection = client.connect(ByteArrayCodec.INSTANCE);
		this.gateway = this.gatewayConnection.sync();
		this.gatewaySha = this.gateway.scriptLoad(GATEWAY_SCRIPT.getBytes(StandardCharsets.UTF_8));
		String id = UUID.randomUUID().toString();
		this.gatewayKeys = new byte[][] { ("request_rate_limiter.{" + id + "}.tokens").getBytes(StandardCharsets.UTF_8),
				("request_rate_limiter.{" + id + "}.timestamp").getBytes(StandardCharsets.UTF_8) };
		this.gatewayArgs = new byte[][] { Long.toString(RateLimitBenchmark.PERMITS_PER_SECOND).getBytes(StandardCharsets.UTF_8),
				Long.toString(RateLimitBenchmark.PERMITS_PER_SECOND).getBytes(StandardCharsets.UTF_8),
				"1".getBytes(StandardCharsets.UTF_8) };

		// The rejected path: one permit an hour, taken at once.
		String tierName = "flood-" + UUID.randomUUID();
		Tier flood = new Tier(tierName, List.of(Limit.parse("1/1h")), Algorithm.TOKEN_BUCKET, FailurePolicy.ALLOW,
				Map.of());
		this.rejectingWithShortcut = new RateLimiter(Map.of("flood", flood), this.perfkit, new LocalRateLimiter(1000),
				null, RateLimiter.DEFAULT_SHORTCUT_KEYS);
		this.rejectingWithoutShortcut = new RateLimiter(Map.of("flood", flood), this.perfkit,
				new LocalRateLimiter(1000), null, 0);
		this.rejectingWithShortcut.check("flood", null, "hot", 1);
		this.rejectingWithShortcut.check("flood", null, "hot", 1);
		// The admitted path: one hot key whose limit the benchmark never reaches, checked on
		// Redis every time, or leasing up to 50 permits per script call.
		Tier hot = new Tier("hot-" + UUID.randomUUID(), List.of(Limit.parse("100000000/1h")), Algorithm.TOKEN_BUCKET,
				FailurePolicy.ALLOW, Map.of());
		this.admitting = new RateLimiter(Map.of("hot", hot), this.perfkit, new LocalRateLimiter(1000), null);
		this.admittingLeased = new RateLimiter(Map.of("hot", hot),
				new LeasingRateLimiter(this.perfkit, Map.of(hot.name(), new LeasePolicy(50, Duration.ofSeconds(1))), 1000),
				new LocalRateLimiter(1000), null);
		BucketConfiguration once = BucketConfiguration.builder()
			.addLimit(Bandwidth.builder().capacity(1).refillGreedy(1, Duration.ofHours(1)).build())
			.build();
		this.rejectingBucket4j = Bucket4jLettuce.casBasedBuilder(client)
			.expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(5)))
			.build()
			.getProxy(("perfkit:bench:bucket4j:" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8), () -> once);
		this.rejectingBucket4j.tryConsume(1);
		// The admitted path through the whole limiter: with the shortcut (and so the
		// single-flight of checks in flight) and without.
		Tier admitting = new Tier("admitting", this.quota.limits(), Algorithm.TOKEN_BUCKET, FailurePolicy.ALLOW,
				Map.of());
		this.admittingWithShortcut = new RateLimiter(Map.of("admitting", admitting), this.perfkit,
				new LocalRateLimiter(1000), null, RateLimiter.DEFAULT_SHORTCUT_KEYS);
		this.admittingWithoutShortcut = new RateLimiter(Map.of("admitting", admitting), this.perfkit,
				new LocalRateLimiter(1000), null, 0);
		this.admittingKey = "hot-" + UUID.randomUUID();
		// Say whether Boot's Lettuce observation is on, and on perfkit's client, as the figures depend on it.
		System.out.println("Boot's Lettuce observation: " + this.context.containsBean("lettuceObservation")
				+ ", meters " + this.context.getBean(MeterRegistry.class).getMeters().stream()
					.map((meter) -> meter.getId().getName()).filter((name) -> name.contains("lettuce")).distinct().toList()
				+ "; perfkit.redis.observation=" + observation() + ", perfkit's client traced: "
				+ this.connector.client().getResources().tracing().isEnabled());
	}

	/**
	 * The value of {@code perfkit.redis.observation} for this state.
	 * @return {@code keep}, Boot's default for perfkit's connections
	 */
	String observation() {
		return "keep";
	}

	Object gatewayCheck() {
		return this.gateway.evalsha(this.gatewaySha, ScriptOutputType.MULTI, this.gatewayKeys, this.gatewayArgs);
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.gatewayConnection.close();
		this.connector.close();
		this.context.close();
	}

	/**
	 * The same application with {@code perfkit.redis.observation=skip}: perfkit's
	 * connector comes from a client of perfkit's own without Lettuce tracing, while the
	 * application's client (the gateway script's, bucket4j's) stays observed.
	 */
	@State(Scope.Benchmark)
	public static class ObservationSkipped extends BootRedis {

		@Override
		String observation() {
			return "skip";
		}

	}

	/** An application with metrics and observation, as the actuator gives it. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

		@Bean
		ObservationRegistry observationRegistry(MeterRegistry meters) {
			ObservationRegistry registry = ObservationRegistry.create();
			registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
			return registry;
		}

	}

}
