package dev.perfkit.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * A Redis Cluster of masters only (three by default) on free loopback ports, each a
 * {@link RedisProcess}, joined with {@code redis-cli --cluster create}.
 */
public final class RedisCluster implements AutoCloseable {

	private final List<RedisProcess> nodes;

	private RedisCluster(List<RedisProcess> nodes) {
		this.nodes = nodes;
	}

	/**
	 * Start a 3-master cluster and wait until every node reports {@code cluster_state:ok}.
	 * @return the running cluster
	 */
	public static RedisCluster start() {
		return start(3);
	}

	/**
	 * Start a cluster of the given number of masters.
	 * @param masters how many masters, at least 3
	 * @return the running cluster
	 */
	public static RedisCluster start(int masters) {
		List<RedisProcess> nodes = new ArrayList<>();
		try {
			for (int i = 0; i < masters; i++) {
				int port = FreePorts.find(true);
				nodes.add(RedisProcess.start(port, List.of("--cluster-enabled", "yes", "--cluster-config-file",
						"nodes-" + port + ".conf", "--cluster-node-timeout", "2000")));
			}
			RedisCluster cluster = new RedisCluster(nodes);
			cluster.create();
			return cluster;
		}
		catch (RuntimeException ex) {
			nodes.forEach(RedisProcess::close);
			throw ex;
		}
	}

	/**
	 * Return the nodes, each a master.
	 * @return the nodes
	 */
	public List<RedisEndpoint> nodes() {
		return this.nodes.stream().map(RedisProcess::endpoint).toList();
	}

	/**
	 * Return the seed URIs, {@code host:port} each, as {@code spring.data.redis.cluster.nodes}
	 * takes them.
	 * @return the seed nodes
	 */
	public List<String> seeds() {
		return this.nodes.stream().map((node) -> "127.0.0.1:" + node.port()).toList();
	}

	private void create() {
		List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
		command.addAll(seeds());
		command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new IllegalStateException("redis-cli --cluster create failed:\n" + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		Awaitility.await("cluster_state:ok on every node")
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.nodes.stream()
				.allMatch((node) -> String.valueOf(node.endpoint().call("CLUSTER", "INFO")).contains("cluster_state:ok")));
	}

	@Override
	public void close() {
		this.nodes.forEach(RedisProcess::close);
	}

}
