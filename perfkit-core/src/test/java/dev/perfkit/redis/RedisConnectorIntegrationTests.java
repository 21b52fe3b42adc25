package dev.perfkit.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import dev.perfkit.test.RedisCluster;
import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.RedisProcess;
import dev.perfkit.test.RedisSentinel;
import dev.perfkit.test.TestRedis;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link RedisConnector} against real Redis servers.
 */
class RedisConnectorIntegrationTests {

	private static final Duration BOUND = Duration.ofSeconds(15);

	/**
	 * Settings for tests that inject no fault and assert what Redis answered: a 10 s
	 * command timeout, which no answer of a healthy Redis reaches however loaded the
	 * machine (the default 250 ms turns a slow answer into a {@link RedisUnavailableException}).
	 */
	private static RedisConnectorSettings steady() {
		return RedisConnectorSettings.defaults("test").withCommandTimeout(Duration.ofSeconds(10));
	}

	@Test
	void roundTripsAValueThroughRedis() {
		RedisEndpoint redis = TestRedis.get();
		RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
		try (RedisConnector connector = new RedisConnector(() -> client, steady())) {
			awaitAvailable(connector);
			byte[] key = ("perfkit:test:" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
			connector.executeSync((redisApi) -> redisApi.psetex(key, 10_000, "value".getBytes(StandardCharsets.UTF_8)));
			byte[] value = connector.executeSync((redisApi) -> redisApi.get(key));
			assertThat(new String(value, StandardCharsets.UTF_8)).isEqualTo("value");
			assertThat(redis.call("PTTL", new String(key, StandardCharsets.UTF_8))).isInstanceOf(Long.class)
				.satisfies((ttl) -> assertThat((Long) ttl).isPositive());
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void errorRepliesPassThroughAndDoNotOpenTheBreaker() {
		RedisEndpoint redis = TestRedis.get();
		RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
		RedisConnectorSettings settings = steady().withBreaker(1, Duration.ofMinutes(1));
		try (RedisConnector connector = new RedisConnector(() -> client, settings)) {
			awaitAvailable(connector);
			byte[] missingScript = "0000000000000000000000000000000000000000".getBytes(StandardCharsets.US_ASCII);
			assertThatExceptionOfType(RedisCommandExecutionException.class)
				.isThrownBy(() -> connector.executeSync((redisApi) -> redisApi.evalsha(new String(missingScript),
						io.lettuce.core.ScriptOutputType.INTEGER)))
				.withMessageContaining("NOSCRIPT");
			assertThat(connector.breaker().state()).isEqualTo(CircuitBreaker.State.CLOSED);
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void aCommandThatGotNoReplyInTimeIsNeverWrittenLater() {
		RedisEndpoint redis = TestRedis.get();
		RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
		RedisConnectorSettings settings = RedisConnectorSettings.defaults("test")
			.withCommandTimeout(Duration.ofMillis(200));
		try (RedisConnector connector = new RedisConnector(() -> client, settings)) {
			awaitAvailable(connector);
			String key = "perfkit:test:" + UUID.randomUUID();
			byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
			// Hold commands in Lettuce's own buffer, as a stalled connection would.
			connector.connection().setAutoFlushCommands(false);
			assertThatExceptionOfType(RedisUnavailableException.class)
				.isThrownBy(() -> connector.executeSync((redisApi) -> redisApi.psetex(keyBytes, 10_000, new byte[] { 1 })));
			assertThatExceptionOfType(RedisUnavailableException.class)
				.isThrownBy(() -> connector.await(connector.send((redisApi) -> redisApi.psetex(keyBytes, 10_000, new byte[] { 2 }))))
				.withMessageContaining("no reply within 200 ms");
			connector.connection().flushCommands();
			connector.connection().setAutoFlushCommands(true);
			// A later command on the same connection has its reply only after every earlier
			// one was written and answered.
			Long exists = connector.executeSync((redisApi) -> redisApi.exists(keyBytes));
			assertThat(exists).isZero();
			assertThat(redis.call("EXISTS", key)).isEqualTo(0L);
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void failsFastWhileRedisIsDownAndRecoversWhenItReturns() {
		try (RedisProcess redis = RedisProcess.start()) {
			RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
			client.setOptions(ClientOptions.builder().autoReconnect(true).build());
			RedisConnectorSettings settings = RedisConnectorSettings.defaults("test")
				.withBreaker(2, Duration.ofMillis(200));
			try (RedisConnector connector = new RedisConnector(() -> client, settings)) {
				awaitAvailable(connector);
				byte[] key = "perfkit:test:k".getBytes(StandardCharsets.UTF_8);
				connector.executeSync((redisApi) -> redisApi.psetex(key, 10_000, new byte[] { 1 }));

				assertThat(connector.callState()).isEqualTo(CircuitBreaker.State.CLOSED);
				redis.kill();
				await().atMost(BOUND).until(() -> !connector.isAvailable());
				assertThatExceptionOfType(RedisUnavailableException.class)
					.isThrownBy(() -> connector.executeSync((redisApi) -> redisApi.get(key)));
				// Refused for want of a connection: what callers meet is an open breaker.
				await().atMost(BOUND).until(() -> connector.callState() == CircuitBreaker.State.OPEN);

				redis.restart();
				await().atMost(BOUND).ignoreExceptions().until(() -> {
					connector.executeSync((redisApi) -> redisApi.psetex(key, 10_000, new byte[] { 2 }));
					return true;
				});
				byte[] value = connector.executeSync((redisApi) -> redisApi.get(key));
				assertThat(value).containsExactly(2);
				assertThat(connector.callState()).isEqualTo(CircuitBreaker.State.CLOSED);
			}
			finally {
				client.shutdown();
			}
		}
	}

	@Test
	void startsWithoutRedisAndConnectsWhenItAppears() {
		try (RedisProcess redis = RedisProcess.start()) {
			redis.kill();
			RedisClient client = RedisClient.create(RedisURI.builder()
				.withHost("127.0.0.1")
				.withPort(redis.port())
				.withTimeout(Duration.ofMillis(500))
				.build());
			RedisConnectorSettings settings = new RedisConnectorSettings("test", Duration.ofMillis(250), 5,
					Duration.ofMillis(200), Duration.ofMillis(50));
			try (RedisConnector connector = new RedisConnector(() -> client, settings)) {
				assertThatExceptionOfType(RedisUnavailableException.class)
					.isThrownBy(() -> connector.executeSync((redisApi) -> redisApi.ping()));
				redis.restart();
				awaitAvailable(connector);
				String pong = connector.executeSync((redisApi) -> redisApi.ping());
				assertThat(pong).isEqualTo("PONG");
			}
			finally {
				client.shutdown();
			}
		}
	}

	@Test
	void worksThroughSentinel() {
		try (RedisSentinel sentinel = RedisSentinel.start()) {
			String[] node = sentinel.sentinelNode().split(":");
			RedisClient client = RedisClient.create(RedisURI.Builder
				.sentinel(node[0], Integer.parseInt(node[1]), RedisSentinel.MASTER_NAME)
				.build());
			try (RedisConnector connector = new RedisConnector(() -> client, steady())) {
				awaitAvailable(connector);
				byte[] key = "perfkit:test:sentinel".getBytes(StandardCharsets.UTF_8);
				connector.executeSync((redisApi) -> redisApi.psetex(key, 10_000, new byte[] { 7 }));
				assertThat(sentinel.master().endpoint().call("EXISTS", "perfkit:test:sentinel")).isEqualTo(1L);
				assertThat(connector.isCluster()).isFalse();
			}
			finally {
				client.shutdown();
			}
		}
	}

	@Test
	void worksAcrossTheMastersOfACluster() {
		try (RedisCluster cluster = RedisCluster.start()) {
			RedisClusterClient client = RedisClusterClient.create(cluster.nodes()
				.stream()
				.map((node) -> RedisURI.create(node.host(), node.port()))
				.toList());
			try (RedisConnector connector = new RedisConnector(() -> client, steady())) {
				awaitAvailable(connector);
				assertThat(connector.isCluster()).isTrue();
				// Keys spread over the slots land on every master, routed by the client.
				for (int i = 0; i < 30; i++) {
					byte[] key = ("perfkit:test:" + i).getBytes(StandardCharsets.UTF_8);
					connector.executeSync((redisApi) -> redisApi.psetex(key, 10_000, new byte[] { 1 }));
				}
				for (RedisEndpoint node : cluster.nodes()) {
					assertThat((Long) node.call("DBSIZE")).isPositive();
				}
			}
			finally {
				client.shutdown();
			}
		}
	}

	private static void awaitAvailable(RedisConnector connector) {
		await().atMost(BOUND).until(() -> {
			connector.connect();
			return connector.isAvailable();
		});
	}

}
