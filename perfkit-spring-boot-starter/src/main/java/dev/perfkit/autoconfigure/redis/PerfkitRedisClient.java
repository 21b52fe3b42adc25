package dev.perfkit.autoconfigure.redis;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration.LettuceClientConfigurationBuilder;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration.LettuceSslClientConfigurationBuilder;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The Lettuce client of perfkit's own connections under
 * {@code perfkit.redis.observation=skip}: the application's client, unless its resources
 * carry Lettuce tracing (Boot's Lettuce observation, on whenever the application has an
 * {@code ObservationRegistry}); then a client of perfkit's own, made like the
 * application's but without tracing.
 * <p>
 * <b>Implementation note.</b> Lettuce decides per client whether commands are traced (a
 * connection's command handler asks its client's {@link ClientResources}), so skipping
 * the observation for perfkit's connections alone takes a second client. Its resources are
 * the application's {@linkplain ClientResources#mutate() mutated} with tracing disabled and
 * every part handed over again as shared ({@link #untraced}): they share the application's
 * event loops, executor, timer and event bus, so no thread is added, and shutting them
 * down stops only what they own (a latency event publisher). The second client is made by
 * a Spring Data
 * {@link LettuceConnectionFactory} given those resources, which shuts down only its client
 * and leaves resources it was given alone. That factory mirrors the application's: the same
 * standalone, socket, Sentinel or Cluster configuration and the same client settings (TLS,
 * client options, name, credentials, read-from, timeouts). A static master/replica setup,
 * which perfkit's connections cannot use anyway, keeps the application's client. The
 * second client is made on first use (on a connector's connect thread) and closed with
 * this bean, after perfkit's connectors and before the application's factory.
 */
final class PerfkitRedisClient implements Supplier<AbstractRedisClient>, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(PerfkitRedisClient.class);

	private final LettuceConnectionFactory application;

	private final Supplier<Boolean> masterReplica;

	private LettuceConnectionFactory own;

	private ClientResources ownResources;

	private boolean closed;

	/**
	 * Create the client's supplier; nothing is made until the first call.
	 * @param application the application's connection factory
	 * @param masterReplica whether Boot's connection details name a static master/replica setup
	 */
	PerfkitRedisClient(LettuceConnectionFactory application, Supplier<Boolean> masterReplica) {
		this.application = application;
		this.masterReplica = masterReplica;
	}

	@Override
	public synchronized AbstractRedisClient get() {
		AbstractRedisClient client = this.application.getRequiredNativeClient();
		if (this.closed || !client.getResources().tracing().isEnabled()) {
			return client;
		}
		if (this.own == null) {
			RedisConfiguration configuration = configuration();
			if (configuration == null) {
				logger.info("perfkit.redis.observation=skip is not applied: the application's Redis "
						+ "configuration is not standalone, socket, Sentinel or Cluster; perfkit uses its client");
				return client;
			}
			ClientResources untraced = untraced(client.getResources());
			LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration, clientConfiguration(untraced));
			factory.afterPropertiesSet();
			factory.start();
			this.own = factory;
			this.ownResources = untraced;
		}
		return this.own.getRequiredNativeClient();
	}

	/**
	 * The application's resources without tracing, every part shared. Lettuce's
	 * {@code mutate()} alone is not enough: it does not carry the event loops over (the copy
	 * would start threads of its own), and it copies the application's ownership flags, so
	 * shutting the copy down would shut down the application's executor and timer. Handing
	 * each part to the builder again marks it shared.
	 */
	static ClientResources untraced(ClientResources application) {
		return application.mutate()
			.eventLoopGroupProvider(application.eventLoopGroupProvider())
			.eventExecutorGroup(application.eventExecutorGroup())
			.timer(application.timer())
			.commandLatencyRecorder(application.commandLatencyRecorder())
			.tracing(Tracing.disabled())
			.build();
	}

	/** The application's configuration, or {@code null} when it cannot be read (master/replica). */
	private RedisConfiguration configuration() {
		if (this.application.isClusterAware()) {
			return this.application.getClusterConfiguration();
		}
		if (this.application.isRedisSentinelAware()) {
			return this.application.getSentinelConfiguration();
		}
		if (this.application.getSocketConfiguration() != null) {
			return this.application.getSocketConfiguration();
		}
		if (Boolean.TRUE.equals(this.masterReplica.get())) {
			return null;
		}
		RedisStandaloneConfiguration standalone = this.application.getStandaloneConfiguration();
		// The host and port the factory reports come from the configuration it was made with;
		// a factory made with another kind reports its own, unlike the standalone default.
		if (!standalone.getHostName().equals(this.application.getHostName())
				|| standalone.getPort() != this.application.getPort()) {
			return null;
		}
		return standalone;
	}

	private LettuceClientConfiguration clientConfiguration(ClientResources resources) {
		LettuceClientConfiguration application = this.application.getClientConfiguration();
		LettuceClientConfigurationBuilder builder = LettuceClientConfiguration.builder();
		if (application.isUseSsl()) {
			LettuceSslClientConfigurationBuilder ssl = builder.useSsl().verifyPeer(application.getVerifyMode());
			if (application.isStartTls()) {
				ssl.startTls();
			}
			builder = ssl.and();
		}
		builder.clientResources(resources);
		application.getClientOptions().ifPresent(builder::clientOptions);
		application.getClientName().ifPresent(builder::clientName);
		application.getReadFrom().ifPresent(builder::readFrom);
		application.getRedisCredentialsProviderFactory().ifPresent(builder::redisCredentialsProviderFactory);
		return builder.commandTimeout(application.getCommandTimeout())
			.shutdownTimeout(application.getShutdownTimeout())
			.shutdownQuietPeriod(application.getShutdownQuietPeriod())
			.build();
	}

	/**
	 * Close perfkit's own client, if one was made, and its resources. Their parts are all
	 * the application's and marked shared, so shutting them down stops only what they own:
	 * their latency event publisher (Lettuce also warns about resources collected without
	 * a shutdown).
	 */
	@Override
	public synchronized void close() {
		this.closed = true;
		if (this.own != null) {
			this.own.destroy();
			this.own = null;
			this.ownResources.shutdown(0, 0, TimeUnit.MILLISECONDS);
			this.ownResources = null;
		}
	}

}
