package dev.perfkit.redis;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import io.lettuce.core.AbstractRedisClient;

/**
 * Opens a {@link RedisConnector} per engine over one native Lettuce client. Engines get
 * connections of their own so that a large cache batch never delays a rate-limit check
 * queued behind it on a shared, pipelined connection.
 */
public final class RedisConnectorFactory implements AutoCloseable {

	private final Supplier<? extends AbstractRedisClient> client;

	private final RedisConnectorSettings defaults;

	private final List<RedisConnector> connectors = new CopyOnWriteArrayList<>();

	/**
	 * Create a factory.
	 * @param client supplies the native client, typically Spring Data Redis's
	 * {@code LettuceConnectionFactory::getRequiredNativeClient}
	 * @param defaults the settings that {@link #create(String)} starts from
	 */
	public RedisConnectorFactory(Supplier<? extends AbstractRedisClient> client, RedisConnectorSettings defaults) {
		this.client = client;
		this.defaults = defaults;
	}

	/**
	 * Create a connector with the default settings under another name.
	 * @param name the engine's name, such as {@code cache}
	 * @return the connector, not yet connected
	 */
	public RedisConnector create(String name) {
		RedisConnectorSettings settings = this.defaults;
		return create(new RedisConnectorSettings(name, settings.commandTimeout(), settings.failureThreshold(),
				settings.openDuration(), settings.reconnectBackoff()));
	}

	/**
	 * Create a connector with settings of its own.
	 * @param settings the settings
	 * @return the connector, not yet connected
	 */
	public RedisConnector create(RedisConnectorSettings settings) {
		RedisConnector connector = new RedisConnector(this.client, settings);
		this.connectors.add(connector);
		return connector;
	}

	/**
	 * Return the connectors this factory created, so that health and reporting can tell
	 * whether each engine's Redis connection is usable.
	 * @return the connectors, in creation order (a read-only view)
	 */
	public List<RedisConnector> connectors() {
		return Collections.unmodifiableList(this.connectors);
	}

	/**
	 * Return the default settings.
	 * @return the settings
	 */
	public RedisConnectorSettings defaults() {
		return this.defaults;
	}

	/**
	 * Close every connector this factory created. The native client is the
	 * application's and stays open.
	 */
	@Override
	public void close() {
		this.connectors.forEach(RedisConnector::close);
	}

}
