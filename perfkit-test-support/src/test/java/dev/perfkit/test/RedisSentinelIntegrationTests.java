package dev.perfkit.test;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedisSentinelIntegrationTests {

	@Test
	void sentinelNamesTheMasterThatTestsWriteTo() {
		try (RedisSentinel sentinel = RedisSentinel.start()) {
			String[] node = sentinel.sentinelNode().split(":");
			Object address = Resp.call(node[0], Integer.parseInt(node[1]), "SENTINEL", "get-master-addr-by-name",
					RedisSentinel.MASTER_NAME);
			assertThat(address).isEqualTo(List.of("127.0.0.1", String.valueOf(sentinel.master().port())));
			sentinel.master().endpoint().call("SET", "k", "v");
			assertThat(sentinel.master().endpoint().call("GET", "k")).isEqualTo("v");
		}
	}

}
