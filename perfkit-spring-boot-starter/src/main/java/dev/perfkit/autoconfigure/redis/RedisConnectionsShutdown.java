package dev.perfkit.autoconfigure.redis;

import java.util.List;

import dev.perfkit.redis.RedisConnectorFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Closes perfkit's Redis connections just before the application's
 * {@link LettuceConnectionFactory} stops. That factory is a {@link SmartLifecycle} and
 * shuts its native client down when it stops, which happens before any bean is destroyed;
 * connections perfkit closed only in its destroy methods were then closed twice, and
 * Lettuce logged {@code Connection is already closed} once per perfkit connection. This
 * lifecycle runs one phase above the factory's, so it stops first: after the web server
 * has stopped taking requests (a much higher phase), and before the client goes away.
 * <p>
 * The owners of connections not made through the {@link RedisConnectorFactory} (the
 * cache's invalidation subscription) are closed first, then every connector.
 */
final class RedisConnectionsShutdown implements SmartLifecycle {

	private final LettuceConnectionFactory connectionFactory;

	private final ObjectProvider<RedisConnectorFactory> connectors;

	private final List<AutoCloseable> owners;

	private volatile boolean running;

	RedisConnectionsShutdown(LettuceConnectionFactory connectionFactory, ObjectProvider<RedisConnectorFactory> connectors,
			List<AutoCloseable> owners) {
		this.connectionFactory = connectionFactory;
		this.connectors = connectors;
		this.owners = owners;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		for (AutoCloseable owner : this.owners) {
			try {
				owner.close();
			}
			catch (Exception ex) {
				// Shutting down: the client closes whatever is left.
			}
		}
		RedisConnectorFactory factory = this.connectors.getIfAvailable();
		if (factory != null) {
			factory.close();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		int phase = this.connectionFactory.getPhase();
		return (phase == Integer.MAX_VALUE) ? phase : phase + 1;
	}

}
