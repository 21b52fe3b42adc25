package dev.perfkit.test;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class RedisSentinelIntegrationTests {

	@Test
	void sentinelNamesTheMasterThatTestsWriteTo() {
		try (RedisSentinel sentinel = RedisSentinel.start()) {
			assertThat(namedMaster(sentinel)).isEqualTo(List.of("127.0.0.1", String.valueOf(sentinel.master().port())));
			sentinel.master().endpoint().call("SET", "k", "v");
			assertThat(sentinel.master().endpoint().call("GET", "k")).isEqualTo("v");
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(sentinel::failover);
		}
	}

	@Test
	void aRequestedFailoverPromotesTheReplicaAndLaterDemotesTheOldMaster() {
		RedisProcess first;
		RedisProcess replica;
		try (RedisSentinel sentinel = RedisSentinel.start(1)) {
			first = sentinel.master();
			replica = sentinel.replicas().get(0);
			first.endpoint().call("SET", "k", "v1");
			await(() -> "v1".equals(replica.endpoint().call("GET", "k")));
			assertThatExceptionOfType(Resp.RespError.class)
				.isThrownBy(() -> replica.endpoint().call("SET", "k", "v2"))
				.withMessageContaining("READONLY");

			RedisProcess promoted = sentinel.failover();
			assertThat(promoted).isSameAs(replica).isSameAs(sentinel.master());
			assertThat(sentinel.formerMaster()).isSameAs(first);
			assertThat(namedMaster(sentinel)).isEqualTo(List.of("127.0.0.1", String.valueOf(replica.port())));
			assertThat(replica.endpoint().call("SET", "k", "v2")).isEqualTo("OK");

			sentinel.awaitFormerMasterDemoted();
			assertThat(String.valueOf(first.endpoint().call("ROLE"))).startsWith("[slave");
			await(() -> "v2".equals(first.endpoint().call("GET", "k")));
		}
		assertThat(first.isRunning()).isFalse();
		assertThat(replica.isRunning()).isFalse();
	}

	@Test
	void aKilledMasterIsReplacedByItsReplica() {
		try (RedisSentinel sentinel = RedisSentinel.start(1)) {
			RedisProcess first = sentinel.master();
			RedisProcess replica = sentinel.replicas().get(0);
			RedisProcess promoted = sentinel.killMaster();
			assertThat(promoted).isSameAs(replica);
			assertThat(first.isRunning()).isFalse();
			assertThat(namedMaster(sentinel)).isEqualTo(List.of("127.0.0.1", String.valueOf(replica.port())));
			assertThat(replica.endpoint().call("SET", "k", "v")).isEqualTo("OK");
		}
	}

	private static Object namedMaster(RedisSentinel sentinel) {
		return Resp.call("127.0.0.1", sentinel.sentinelPort(), "SENTINEL", "get-master-addr-by-name",
				RedisSentinel.MASTER_NAME);
	}

	private static void await(java.util.concurrent.Callable<Boolean> condition) {
		org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(condition);
	}

}
