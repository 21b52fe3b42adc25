package dev.perfkit.test;

import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;

/**
 * A Redis master watched by one Sentinel, both on free loopback ports, for tests of
 * Spring Boot's {@code spring.data.redis.sentinel.*} configuration.
 */
public final class RedisSentinel implements AutoCloseable {

	/** The name under which the Sentinel monitors the master. */
	public static final String MASTER_NAME = "perfkit-master";

	private final RedisProcess master;

	private final RedisProcess sentinel;

	private RedisSentinel(RedisProcess master, RedisProcess sentinel) {
		this.master = master;
		this.sentinel = sentinel;
	}

	/**
	 * Start a master and a Sentinel that monitors it, and wait until the Sentinel
	 * reports the master's address.
	 * @return the running pair
	 */
	public static RedisSentinel start() {
		RedisProcess master = RedisProcess.start();
		try {
			String config = "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 1\n"
					+ "sentinel down-after-milliseconds " + MASTER_NAME + " 2000\n";
			RedisProcess sentinel = RedisProcess.start(FreePorts.find(false), List.of("--sentinel"), config);
			RedisSentinel pair = new RedisSentinel(master, sentinel);
			Awaitility.await("sentinel to know its master")
				.atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> String.valueOf(sentinel.endpoint()
					.call("SENTINEL", "get-master-addr-by-name", MASTER_NAME)).contains(String.valueOf(master.port())));
			return pair;
		}
		catch (RuntimeException ex) {
			master.close();
			throw ex;
		}
	}

	/**
	 * Return the master.
	 * @return the master
	 */
	public RedisProcess master() {
		return this.master;
	}

	/**
	 * Return the Sentinel's {@code host:port}, as {@code spring.data.redis.sentinel.nodes}
	 * takes it.
	 * @return the Sentinel node
	 */
	public String sentinelNode() {
		return "127.0.0.1:" + this.sentinel.port();
	}

	@Override
	public void close() {
		this.sentinel.close();
		this.master.close();
	}

}
