package dev.perfkit.redis;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One engine's connection to Redis, opened over the application's native Lettuce client
 * (standalone, Sentinel or Cluster alike), with binary keys and values.
 * <p>
 * <b>Implementation note.</b> No caller ever waits for Redis to come up. The connection
 * is opened on a background thread, on first use and then at most once per
 * {@code reconnectBackoff} while it is missing; until it exists, or while Lettuce is
 * reconnecting it, or while the circuit breaker is open, {@link #execute} fails at once
 * with {@link RedisUnavailableException}. A command that runs longer than
 * {@code commandTimeout} is completed exceptionally; since Lettuce's command object is
 * the future itself, a timed-out command still sitting in Lettuce's buffer is done and
 * is never written later (so an old write cannot land after the caller gave up on it).
 * {@link #executeSync} (and its two halves {@link #send} and {@link #await}) gives the
 * same guarantee without a timer task: the caller waits with the timeout itself and
 * cancels the command when no reply came.
 * Error replies from the server ({@link RedisCommandExecutionException}: {@code NOSCRIPT},
 * {@code WRONGTYPE}, ...) are answers, not outages: they pass through unchanged and do
 * not count against the breaker.
 */
public final class RedisConnector implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RedisConnector.class);

	/** A close is one event-loop round trip; this only bounds a stuck one. */
	private static final long CLOSE_WAIT_MILLIS = 2000;

	private final Supplier<? extends AbstractRedisClient> client;

	private final RedisConnectorSettings settings;

	private final CircuitBreaker breaker;

	private final ExecutorService connectThread;

	private final AtomicBoolean connecting = new AtomicBoolean();

	private final List<Runnable> connectListeners = new CopyOnWriteArrayList<>();

	private volatile long lastAttempt = System.nanoTime() - TimeUnit.DAYS.toNanos(1);

	private volatile StatefulConnection<byte[], byte[]> connection;

	private volatile RedisClusterAsyncCommands<byte[], byte[]> commands;

	private volatile boolean closed;

	/**
	 * Create a connector. Nothing is connected until {@link #connect()} or the first
	 * command.
	 * @param client supplies the native client; called on the connect thread, so it may
	 * fail while the application is starting
	 * @param settings timeouts and breaker settings
	 */
	public RedisConnector(Supplier<? extends AbstractRedisClient> client, RedisConnectorSettings settings) {
		this.client = client;
		this.settings = settings;
		this.breaker = new CircuitBreaker(settings.failureThreshold(), settings.openDuration());
		this.connectThread = Executors.newSingleThreadExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "perfkit-redis-" + settings.name() + "-connect");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Run a command. The returned future fails with {@link RedisUnavailableException} when
	 * Redis could not be asked or did not answer in time, and with the server's own
	 * {@link RedisCommandExecutionException} for an error reply.
	 * @param <T> the reply type
	 * @param command issues the command on the async API
	 * @return the reply
	 */
	public <T> CompletableFuture<T> execute(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
		CompletableFuture<T> reply;
		try {
			reply = send(command).toCompletableFuture();
		}
		catch (RedisUnavailableException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		reply.orTimeout(this.settings.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
		return reply.handle((value, failure) -> {
			Throwable cause = unwrap(failure);
			if (cause == null || cause instanceof RedisCommandExecutionException) {
				this.breaker.onSuccess();
				if (cause != null) {
					throw new CompletionException(cause);
				}
				return value;
			}
			this.breaker.onFailure();
			String why = (cause instanceof TimeoutException)
					? "no reply within " + this.settings.commandTimeout().toMillis() + " ms" : cause.toString();
			throw new CompletionException(new RedisUnavailableException(why, cause));
		});
	}

	/**
	 * Run a command and wait for its reply, never longer than the command timeout.
	 * <p>
	 * Cheaper than {@link #execute}: the caller's own bounded wait is the timeout, so no
	 * timer task is scheduled and no completion stage is chained. A command that gets no
	 * reply in time is cancelled; Lettuce's command object is the future itself, so a
	 * cancelled command still sitting in Lettuce's buffer is never written later.
	 * @param <T> the reply type
	 * @param command issues the command on the async API
	 * @return the reply
	 * @throws RedisUnavailableException when Redis could not be asked or did not answer
	 * @throws RedisCommandExecutionException for an error reply
	 */
	public <T> T executeSync(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
		return await(send(command));
	}

	/**
	 * Queue a command without waiting and without a timer, for a caller that must queue
	 * commands in a given order under a lock of its own and wait outside it. Every reply
	 * returned here must be passed to {@link #await}, which applies the timeout and feeds
	 * the circuit breaker.
	 * @param <T> the reply type
	 * @param command issues the command on the async API
	 * @return the pending reply
	 * @throws RedisUnavailableException when Redis cannot be asked now
	 */
	public <T> RedisFuture<T> send(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
		RedisClusterAsyncCommands<byte[], byte[]> api = this.commands;
		StatefulConnection<byte[], byte[]> current = this.connection;
		if (api == null || current == null) {
			connect();
			throw new RedisUnavailableException("not connected yet", null);
		}
		if (!current.isOpen()) {
			throw new RedisUnavailableException("connection lost, Lettuce is reconnecting", null);
		}
		if (!this.breaker.tryAcquire()) {
			throw new RedisUnavailableException("circuit breaker open", null);
		}
		try {
			return command.apply(api);
		}
		catch (RuntimeException ex) {
			this.breaker.onFailure();
			throw new RedisUnavailableException("command could not be sent", ex);
		}
	}

	/**
	 * Wait for a reply that {@link #send} returned, never longer than the command timeout,
	 * and cancel the command when no reply came in time (so it is never written later).
	 * @param <T> the reply type
	 * @param reply the pending reply
	 * @return the reply
	 * @throws RedisUnavailableException when Redis did not answer in time
	 * @throws RedisCommandExecutionException for an error reply
	 */
	public <T> T await(RedisFuture<T> reply) {
		try {
			T value = reply.get(this.settings.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
			this.breaker.onSuccess();
			return value;
		}
		catch (ExecutionException ex) {
			Throwable cause = unwrap(ex);
			if (cause instanceof RedisCommandExecutionException answer) {
				this.breaker.onSuccess();
				throw answer;
			}
			this.breaker.onFailure();
			throw new RedisUnavailableException(String.valueOf(cause), cause);
		}
		catch (TimeoutException ex) {
			reply.cancel(false);
			this.breaker.onFailure();
			throw new RedisUnavailableException(
					"no reply within " + this.settings.commandTimeout().toMillis() + " ms", ex);
		}
		catch (InterruptedException ex) {
			reply.cancel(false);
			Thread.currentThread().interrupt();
			throw new RedisUnavailableException("interrupted", ex);
		}
		catch (java.util.concurrent.CancellationException ex) {
			this.breaker.onFailure();
			throw new RedisUnavailableException("command cancelled", ex);
		}
	}

	/**
	 * Start opening the connection in the background, unless it is open, being opened, or
	 * was last tried less than the reconnect backoff ago.
	 */
	public void connect() {
		if (this.closed || this.connection != null) {
			return;
		}
		long now = System.nanoTime();
		if (now - this.lastAttempt < this.settings.reconnectBackoff().toNanos()
				|| !this.connecting.compareAndSet(false, true)) {
			return;
		}
		this.lastAttempt = now;
		try {
			this.connectThread.execute(this::open);
		}
		catch (RuntimeException ex) {
			this.connecting.set(false);
		}
	}

	private void open() {
		try {
			if (this.closed || this.connection != null) {
				return;
			}
			AbstractRedisClient native_ = this.client.get();
			if (native_ instanceof RedisClusterClient cluster) {
				StatefulRedisClusterConnection<byte[], byte[]> opened = cluster.connect(ByteArrayCodec.INSTANCE);
				this.commands = opened.async();
				this.connection = opened;
			}
			else if (native_ instanceof RedisClient standalone) {
				StatefulRedisConnection<byte[], byte[]> opened = standalone.connect(ByteArrayCodec.INSTANCE);
				this.commands = opened.async();
				this.connection = opened;
			}
			else {
				throw new IllegalStateException("Unsupported Lettuce client " + native_.getClass().getName());
			}
			logger.info("perfkit {} connected to Redis", this.settings.name());
			this.connectListeners.forEach(Runnable::run);
		}
		catch (RuntimeException ex) {
			this.breaker.onFailure();
			logger.debug("perfkit {} could not connect to Redis: {}", this.settings.name(), ex.toString());
		}
		finally {
			this.connecting.set(false);
		}
	}

	/**
	 * Return whether a command would be attempted now: connected, connection open and the
	 * breaker not open.
	 * @return whether Redis is usable
	 */
	public boolean isAvailable() {
		StatefulConnection<byte[], byte[]> current = this.connection;
		return current != null && current.isOpen() && this.breaker.state() != CircuitBreaker.State.OPEN;
	}

	/**
	 * Return whether the connection is open, whatever the breaker says. Background work
	 * that must eventually reach Redis (reconciliation) goes by this and lets the breaker
	 * decide: its command is refused at once while the breaker is open, and carries the
	 * trial once the open duration has passed, so an open breaker closes again even when
	 * no caller asks anything.
	 * @return whether the connection is open
	 */
	public boolean isConnected() {
		StatefulConnection<byte[], byte[]> current = this.connection;
		return current != null && current.isOpen();
	}

	/**
	 * Return whether the native client talks to a Redis Cluster.
	 * @return whether this is a cluster
	 */
	public boolean isCluster() {
		return this.connection instanceof StatefulRedisClusterConnection;
	}

	/**
	 * Return the open connection, or {@code null} before the first successful connect.
	 * Engines that need more than the async API (pub/sub, per-node commands on a cluster)
	 * start from here.
	 * @return the connection or {@code null}
	 */
	public StatefulConnection<byte[], byte[]> connection() {
		return this.connection;
	}

	/**
	 * Return the native client.
	 * @return the client
	 */
	public AbstractRedisClient client() {
		return this.client.get();
	}

	/**
	 * Return the circuit breaker, to read its state or listen to it.
	 * @return the breaker
	 */
	public CircuitBreaker breaker() {
		return this.breaker;
	}

	/**
	 * Return the state of calls to Redis in the breaker's terms, for gauges, health and
	 * alerts: the breaker's own state, except {@link CircuitBreaker.State#OPEN OPEN} while
	 * there is no open connection (before the first connect succeeds, or while Lettuce
	 * reconnects). Calls are refused at once then, as an open breaker refuses them, but
	 * without the breaker tripping, since no call waits for a timeout; reporting the
	 * breaker alone would read {@code CLOSED} through a whole outage.
	 * @return the state callers meet
	 */
	public CircuitBreaker.State callState() {
		StatefulConnection<byte[], byte[]> current = this.connection;
		if (current == null || !current.isOpen()) {
			return CircuitBreaker.State.OPEN;
		}
		return this.breaker.state();
	}

	/**
	 * Return the settings.
	 * @return the settings
	 */
	public RedisConnectorSettings settings() {
		return this.settings;
	}

	/**
	 * Run an action each time the connection is first opened.
	 * @param listener the action, run on the connect thread
	 */
	public void onConnected(Runnable listener) {
		this.connectListeners.add(listener);
	}

	@Override
	public void close() {
		this.closed = true;
		this.connectThread.shutdownNow();
		StatefulConnection<byte[], byte[]> current = this.connection;
		this.connection = null;
		this.commands = null;
		if (current != null) {
			closeAndWait(current);
		}
	}

	/**
	 * Close a connection and wait, briefly, until it is closed. Lettuce drops a connection
	 * from its client only once its close completes; a client shut down before that closes
	 * it a second time and logs {@code Connection is already closed}. Waiting here keeps
	 * the application's shutdown quiet.
	 * @param connection the connection to close
	 */
	public static void closeAndWait(StatefulConnection<?, ?> connection) {
		try {
			connection.closeAsync().get(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			// The connection is going away anyway; the client closes what is left.
		}
	}

	private static Throwable unwrap(Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

}
