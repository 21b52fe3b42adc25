package dev.perfkit.autoconfigure.redis;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.perfkit.autoconfigure.ratelimit.RateLimitAutoConfiguration;
import dev.perfkit.ratelimit.Decision;
import dev.perfkit.ratelimit.RateLimiter;
import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorFactory;
import dev.perfkit.test.RedisCluster;
import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.RedisSentinel;
import dev.perfkit.test.Resp;
import dev.perfkit.test.TestRedis;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.tracing.LettuceObservationContext;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.observation.LettuceObservationAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code perfkit.redis.observation}: with Boot's Lettuce observation on (an application
 * with an {@code ObservationRegistry}), {@code skip} leaves perfkit's own Redis commands
 * unobserved while the application's own commands stay observed; {@code keep}, the
 * default, observes both. perfkit's own client mirrors Boot's standalone, Sentinel and
 * Cluster configurations.
 */
@ExtendWith(OutputCaptureExtension.class)
class PerfkitRedisObservationIntegrationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LettuceObservationAutoConfiguration.class,
				DataRedisAutoConfiguration.class, PerfkitRedisAutoConfiguration.class,
				RateLimitAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=" + redis().host(), "spring.data.redis.port=" + redis().port(),
				"perfkit.rate-limit.backend=redis", "perfkit.redis.command-timeout=5s");

	@Test
	void skipLeavesPerfkitsRateLimitCallsUnobservedWhileTheApplicationsOwnCommandsStayObserved(
			CapturedOutput output) {
		this.contextRunner.withUserConfiguration(Observed.class)
			.withPropertyValues("perfkit.redis.observation=skip")
			.run((context) -> {
				List<String> commands = commandsObserved(context);
				assertThat(commands).contains("GET").doesNotContain("EVALSHA", "EVAL");
				// perfkit's client is its own, on the application's event loops
				AbstractRedisClient application = context.getBean(LettuceConnectionFactory.class)
					.getRequiredNativeClient();
				AbstractRedisClient perfkit = perfkitClient(context);
				assertThat(perfkit).isNotSameAs(application);
				assertThat(perfkit.getResources().tracing().isEnabled()).isFalse();
				assertThat(perfkit.getResources().eventLoopGroupProvider())
					.isSameAs(application.getResources().eventLoopGroupProvider());
			});
		// Closing perfkit's client left Boot's resources to Boot: nothing was closed twice.
		assertThat(output).doesNotContain("already closed").doesNotContain("Connection is closed")
			.doesNotContain("RejectedExecutionException");
	}

	@Test
	void keepObservesPerfkitsRateLimitCallsLikeAnyOtherCommand() {
		this.contextRunner.withUserConfiguration(Observed.class)
			.withPropertyValues("perfkit.redis.observation=keep")
			.run((context) -> {
				assertThat(commandsObserved(context)).contains("GET", "EVALSHA");
				assertThat(perfkitClient(context))
					.isSameAs(context.getBean(LettuceConnectionFactory.class).getRequiredNativeClient());
			});
	}

	@Test
	void keepIsTheDefault() {
		this.contextRunner.withUserConfiguration(Observed.class)
			.run((context) -> assertThat(commandsObserved(context)).contains("GET", "EVALSHA"));
	}

	@Test
	void skipMirrorsBootsSentinelConfiguration() {
		try (RedisSentinel sentinel = RedisSentinel.start()) {
			Resp.call("127.0.0.1", sentinel.master().port(), "CONFIG", "RESETSTAT");
			mirrored("spring.data.redis.sentinel.master=" + RedisSentinel.MASTER_NAME,
					"spring.data.redis.sentinel.nodes=" + sentinel.sentinelNode())
				.run((context) -> {
					assertThat(commandsObserved(context)).contains("GET").doesNotContain("EVALSHA", "EVAL");
					assertThat(perfkitClient(context)).isInstanceOf(RedisClient.class)
						.isNotSameAs(context.getBean(LettuceConnectionFactory.class).getRequiredNativeClient());
					// perfkit's own client found the master through the Sentinel
					assertThat(String.valueOf(Resp.call("127.0.0.1", sentinel.master().port(), "INFO", "commandstats")))
						.contains("cmdstat_evalsha:");
				});
		}
	}

	@Test
	void skipMirrorsBootsClusterConfiguration() {
		try (RedisCluster cluster = RedisCluster.start()) {
			mirrored("spring.data.redis.cluster.nodes=" + String.join(",", cluster.seeds())).run((context) -> {
				assertThat(commandsObserved(context)).contains("GET").doesNotContain("EVALSHA", "EVAL");
				assertThat(perfkitClient(context)).isInstanceOf(RedisClusterClient.class)
					.isNotSameAs(context.getBean(LettuceConnectionFactory.class).getRequiredNativeClient());
			});
		}
	}

	private static ApplicationContextRunner mirrored(String... redis) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(LettuceObservationAutoConfiguration.class,
					DataRedisAutoConfiguration.class, PerfkitRedisAutoConfiguration.class,
					RateLimitAutoConfiguration.class))
			.withUserConfiguration(Observed.class)
			.withPropertyValues("perfkit.rate-limit.backend=redis", "perfkit.redis.command-timeout=5s",
					"perfkit.redis.observation=skip")
			.withPropertyValues(redis);
	}

	@Test
	void skipWithoutAnObservationRegistryUsesTheApplicationsClientItself() {
		this.contextRunner.withPropertyValues("perfkit.redis.observation=skip").run((context) -> {
			limitedOnRedis(context.getBean(RateLimiter.class));
			assertThat(perfkitClient(context))
				.isSameAs(context.getBean(LettuceConnectionFactory.class).getRequiredNativeClient());
		});
	}

	@Test
	void closingPerfkitsOwnClientLeavesTheApplicationsClientWorking() {
		this.contextRunner.withUserConfiguration(Observed.class).run((context) -> {
			LettuceConnectionFactory application = context.getBean(LettuceConnectionFactory.class);
			PerfkitRedisClient client = new PerfkitRedisClient(application, () -> null);
			AbstractRedisClient own = client.get();
			assertThat(own).isNotSameAs(application.getRequiredNativeClient());
			client.close();
			StringRedisTemplate template = new StringRedisTemplate(application);
			template.opsForValue().set("perfkit:test:observation", "v", Duration.ofMinutes(1));
			assertThat(template.opsForValue().get("perfkit:test:observation")).isEqualTo("v");
			ClientResources resources = application.getRequiredNativeClient().getResources();
			assertThat(resources.eventExecutorGroup().isShuttingDown()).isFalse();
			assertThat(own.getResources().eventLoopGroupProvider()).isSameAs(resources.eventLoopGroupProvider());
			// and the application's client still opens connections on those event loops
			try (var connection = ((RedisClient) application.getRequiredNativeClient()).connect()) {
				assertThat(connection.sync().ping()).isEqualTo("PONG");
			}
		});
	}

	private static List<String> commandsObserved(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		limitedOnRedis(context.getBean(RateLimiter.class));
		Commands commands = context.getBean(Commands.class);
		commands.seen.clear();
		RateLimiter limiter = context.getBean(RateLimiter.class);
		for (int i = 0; i < 10; i++) {
			assertThat(limiter.check("standard", null, "observed", 1).source()).isEqualTo(Decision.Source.REDIS);
		}
		StringRedisTemplate template = new StringRedisTemplate(context.getBean(LettuceConnectionFactory.class));
		template.opsForValue().get("perfkit:test:observation:absent");
		// Lettuce stops a command's observation in a callback on its reply, which may run
		// just after the caller got the reply: wait for the GET's. (Each check's EVALSHA was
		// stopped before the next reply on its connection was read.)
		await().atMost(Duration.ofSeconds(20)).until(() -> commands.seen.contains("GET"));
		return List.copyOf(commands.seen);
	}

	/** Wait for perfkit's connection, which opens in the background. */
	private static void limitedOnRedis(RateLimiter limiter) {
		await().atMost(Duration.ofSeconds(20))
			.until(() -> limiter.check("standard", null, "warm-up", 1).source() == Decision.Source.REDIS);
	}

	private static AbstractRedisClient perfkitClient(AssertableApplicationContext context) {
		RedisConnector connector = context.getBean(RedisConnectorFactory.class).connectors().stream()
			.filter((candidate) -> candidate.settings().name().equals("ratelimit"))
			.findFirst()
			.orElseThrow();
		return connector.client();
	}

	private static RedisEndpoint redis() {
		return TestRedis.get();
	}

	@Configuration(proxyBeanMethods = false)
	static class Observed {

		@Bean
		Commands commands() {
			return new Commands();
		}

		@Bean
		ObservationRegistry observationRegistry(Commands commands) {
			ObservationRegistry registry = ObservationRegistry.create();
			registry.observationConfig().observationHandler(commands);
			return registry;
		}

	}

	/** Records the type of every Redis command Lettuce observes. */
	static final class Commands implements ObservationHandler<LettuceObservationContext> {

		final Queue<String> seen = new ConcurrentLinkedQueue<>();

		@Override
		public void onStop(LettuceObservationContext context) {
			if (context.hasCommand()) {
				this.seen.add(context.getRequiredCommand().getType().toString());
			}
		}

		@Override
		public boolean supportsContext(Observation.Context context) {
			return context instanceof LettuceObservationContext;
		}

	}

}
