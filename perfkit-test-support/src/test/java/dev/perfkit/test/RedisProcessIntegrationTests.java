package dev.perfkit.test;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedisProcessIntegrationTests {

	@Test
	void killsAndRestartsOnTheSamePortEmpty() {
		try (RedisProcess redis = RedisProcess.start()) {
			redis.endpoint().call("SET", "k", "v");
			assertThat(redis.endpoint().call("GET", "k")).isEqualTo("v");
			redis.kill();
			assertThat(redis.isRunning()).isFalse();
			redis.restart();
			assertThat(redis.isRunning()).isTrue();
			assertThat(redis.endpoint().call("GET", "k")).isNull();
		}
	}

	@Test
	void closeStopsTheServer() {
		RedisProcess redis = RedisProcess.start();
		int port = redis.port();
		redis.close();
		assertThat(ServiceLocator.reachable("127.0.0.1", port)).isFalse();
	}

	@Test
	void sharedRedisAnswers() {
		assertThat(TestRedis.get().call("PING")).isEqualTo("PONG");
	}

}
