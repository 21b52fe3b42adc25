package dev.perfkit.redis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class RedisConnectorFactoryTests {

	@Test
	void listsTheConnectorsItCreatedReadOnly() {
		try (RedisConnectorFactory factory = new RedisConnectorFactory(() -> {
			throw new IllegalStateException("never connected in this test");
		}, RedisConnectorSettings.defaults("shared"))) {
			RedisConnector cache = factory.create("cache");
			RedisConnector rateLimit = factory.create("ratelimit");
			assertThat(factory.connectors()).containsExactly(cache, rateLimit);
			assertThat(factory.connectors()).extracting((connector) -> connector.settings().name())
				.containsExactly("cache", "ratelimit");
			assertThatExceptionOfType(UnsupportedOperationException.class)
				.isThrownBy(() -> factory.connectors().clear());
		}
	}

}
