package dev.perfkit.test;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedisClusterIntegrationTests {

	@Test
	void startsThreeMastersThatShareTheSlots() {
		try (RedisCluster cluster = RedisCluster.start()) {
			assertThat(cluster.nodes()).hasSize(3);
			for (RedisEndpoint node : cluster.nodes()) {
				String info = (String) node.call("CLUSTER", "INFO");
				assertThat(info).contains("cluster_state:ok").contains("cluster_known_nodes:3");
			}
			List<?> slots = (List<?>) cluster.nodes().get(0).call("CLUSTER", "SLOTS");
			assertThat(slots).hasSize(3);
		}
	}

}
