package dev.perfkit.test;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Redis that perfkit's tests share.
 * <p>
 * {@code perfkit.test.redis.host} and {@code perfkit.test.redis.port} (or
 * {@code PERFKIT_TEST_REDIS_HOST} and {@code PERFKIT_TEST_REDIS_PORT}) name a server
 * explicitly; otherwise a {@code redis:7} container is started when Docker runs, and the
 * local server on 127.0.0.1:6379 is used when it does not.
 */
public final class TestRedis {

	private static volatile RedisEndpoint endpoint;

	private TestRedis() {
	}

	/**
	 * Return the shared Redis, failing the test under {@code CI=true} and skipping it
	 * elsewhere when no Redis answers.
	 * @return the endpoint
	 */
	public static RedisEndpoint get() {
		RedisEndpoint current = endpoint;
		if (current == null) {
			synchronized (TestRedis.class) {
				current = endpoint;
				if (current == null) {
					current = locate();
					endpoint = current;
				}
			}
		}
		if (!ServiceLocator.reachable(current.host(), current.port())) {
			throw ServiceLocator.unavailable("Redis", current.host() + ":" + current.port(),
					"Start it with: redis-server --daemonize yes --port " + current.port());
		}
		return current;
	}

	private static RedisEndpoint locate() {
		String host = ServiceLocator.setting("perfkit.test.redis.host");
		String port = ServiceLocator.setting("perfkit.test.redis.port");
		if (host == null && port == null && ServiceLocator.dockerAvailable()) {
			GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse("redis:7-alpine"))
				.withExposedPorts(6379);
			container.start();
			Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "perfkit-test-redis-stop"));
			return new RedisEndpoint(container.getHost(), container.getMappedPort(6379));
		}
		return new RedisEndpoint((host != null) ? host : "127.0.0.1", (port != null) ? Integer.parseInt(port) : 6379);
	}

}
