package dev.perfkit.cache;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.perfkit.redis.RedisConnector;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis server-assisted client tracking for the caches whose invalidation mode uses it
 * ({@link InvalidationMode#TRACKING}, {@link InvalidationMode#BOTH}): the server itself
 * reports every change of a key under their prefixes, whoever made it (perfkit, another
 * service, {@code redis-cli}, expiry, eviction under {@code maxmemory}).
 * <p>
 * <b>Implementation note.</b> A connection of its own over the connector's native client
 * (RESP3, which Lettuce negotiates by default with Redis 6+), on which perfkit sends
 * {@code CLIENT TRACKING ON BCAST PREFIX <prefix of each tracking cache> ...} and nothing
 * else, and listens for {@code invalidate} push messages. Broadcast mode, not the default
 * mode: the default mode tracks the keys <em>this connection</em> read, so the reads would
 * have to go through it (and {@code OPTIN} adds a {@code CLIENT CACHING yes} to each), and
 * the server keeps a table of every key read by every instance; broadcast mode keeps no
 * per-key state, costs the server a prefix match per written key, and sends every change
 * under the prefixes to every instance, which is what perfkit's own messages do too.
 * {@code NOLOOP} is not sent: it only spares the connection that enabled tracking its own
 * writes, and this connection writes nothing; so an instance also hears of its own writes,
 * fences and fills, and drops its own copy of the key (safe, and it costs that instance one
 * read from Redis for the key).
 * <p>
 * A key push is applied like an invalidation message ({@link TwoTierCache#onTrackedChange},
 * which stamps the key's tombstone, so a copy or load that read the key before the change
 * cannot install afterwards). A push without keys means the server flushed
 * ({@code FLUSHALL}, {@code FLUSHDB}): the tracking caches flush. Tracking belongs to the
 * connection on the server, so a reconnect (network, {@code CLIENT KILL}, restart,
 * Sentinel failover) silently ends it. The worker therefore checks, when Lettuce reports
 * the connection up or down and on every tick, that the connection's {@code CLIENT ID} is
 * the one tracking was enabled for; when not, it enables tracking again and only then
 * flushes the tracking caches' local tiers (anything may have been missed meanwhile, and a
 * copy installed before the flush is dropped by it, one installed after was read while
 * tracking was on). On a Redis Cluster tracking is per node and a node reports only its
 * own keys, so the same is done on a node connection to every master; a master that
 * appears (failover, a new shard) is tracked, and flushed for, on the next tick. Pushes
 * are handled on Lettuce's event loop, so handlers only touch local memory.
 */
final class TrackingInvalidations implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(TrackingInvalidations.class);

	private static final String STANDALONE = "standalone";

	private final RedisConnector connector;

	private final Receiver receiver;

	private final ScheduledExecutorService worker;

	/** The key prefixes asked for, one per tracking cache. */
	private final Set<String> prefixes = ConcurrentHashMap.newKeySet();

	/** Per node (one for standalone and Sentinel): the connection and what it tracks. */
	private final Map<String, Node> nodes = new ConcurrentHashMap<>();

	private final RedisConnectionStateListener stateListener = new StateListener();

	private volatile StatefulConnection<byte[], byte[]> connection;

	private volatile AbstractRedisClient client;

	private volatile String problem;

	private volatile boolean closed;

	/**
	 * What tracking tells the caches.
	 */
	interface Receiver {

		/**
		 * Keys (full Redis keys) changed in Redis. Called on Lettuce's event loop.
		 */
		void onKeys(List<String> keys);

		/**
		 * Tracking was (re)enabled, so anything may have been missed before, or the server
		 * flushed its keys: drop every tracking cache's local tier.
		 */
		void onFlush(String reason);

	}

	TrackingInvalidations(RedisConnector connector, Receiver receiver) {
		this.connector = connector;
		this.receiver = receiver;
		this.worker = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "perfkit-cache-tracking");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Check, every {@code every}, that tracking is on where it must be.
	 * @param every the interval
	 */
	void start(Duration every) {
		long millis = Math.max(10, every.toMillis());
		this.worker.scheduleWithFixedDelay(this::ensureTracking, 0, millis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Track the keys under a prefix (a tracking cache's {@code <key-prefix><name>:}).
	 * @param prefix the prefix
	 */
	void track(String prefix) {
		if (this.prefixes.add(prefix)) {
			soon();
		}
	}

	/**
	 * Return whether tracking is on, on every node, for every prefix asked for.
	 * @return whether every change is being reported
	 */
	boolean isTracking() {
		if (this.nodes.isEmpty()) {
			return false;
		}
		Set<String> wanted = minimal(this.prefixes);
		for (Node node : this.nodes.values()) {
			if (!node.enabled || !node.connection.isOpen() || !node.prefixes.equals(wanted)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Return how many nodes are tracked (one, or each master of a cluster).
	 * @return the nodes
	 */
	int nodeCount() {
		return this.nodes.size();
	}

	/**
	 * Return why tracking cannot work here, or {@code null}.
	 * @return the problem
	 */
	String problem() {
		return this.problem;
	}

	/**
	 * Wait until every push the server sent before this call has been applied: a
	 * {@code PING} on each tracking connection is answered after the pushes queued before
	 * it (Redis queues broadcast pushes before it writes the replies of the commands that
	 * caused them), and Lettuce applies pushes in order before it completes the reply.
	 */
	void sync() {
		for (Node node : this.nodes.values()) {
			await(node.connection.async().ping());
		}
	}

	private void soon() {
		if (!this.closed) {
			try {
				this.worker.execute(this::ensureTracking);
			}
			catch (RuntimeException ex) {
				// Shut down meanwhile.
			}
		}
	}

	private synchronized void ensureTracking() {
		try {
			if (this.closed || this.prefixes.isEmpty()) {
				return;
			}
			if (this.connection == null && !open()) {
				return;
			}
			Set<String> wanted = minimal(this.prefixes);
			Map<String, StatefulRedisConnection<byte[], byte[]>> current = nodeConnections();
			this.nodes.keySet().retainAll(current.keySet());
			boolean enabled = false;
			boolean failed = false;
			for (Map.Entry<String, StatefulRedisConnection<byte[], byte[]>> entry : current.entrySet()) {
				Node node = this.nodes.compute(entry.getKey(),
						(id, old) -> (old != null && old.connection == entry.getValue()) ? old : new Node(entry.getValue()));
				try {
					enabled |= ensureTracking(node, wanted);
				}
				catch (RuntimeException ex) {
					node.enabled = false;
					failed = true;
					logger.debug("perfkit cache could not enable client tracking on {}: {}", entry.getKey(),
							ex.toString());
				}
			}
			if (enabled) {
				// Only now: a copy installed before this flush is dropped by it, and one
				// installed after was read while the server reported every change.
				this.receiver.onFlush("tracking");
			}
			if (failed && this.client instanceof RedisClusterClient cluster) {
				// A master may be gone (failover): learn the new topology for the next tick.
				cluster.refreshPartitionsAsync();
			}
		}
		catch (RuntimeException ex) {
			logger.debug("perfkit cache client tracking check failed: {}", ex.toString());
		}
	}

	/**
	 * Enable tracking on one node's connection unless it is on there already.
	 * @return whether it was (re)enabled, so the caches must flush
	 */
	private boolean ensureTracking(Node node, Set<String> wanted) {
		long id = await(node.connection.async().clientId());
		if (node.enabled && id == node.clientId && node.prefixes.equals(wanted)) {
			return false;
		}
		node.enabled = false;
		if (node.connection instanceof StatefulRedisConnectionImpl<?, ?> impl
				&& impl.getConnectionState().getNegotiatedProtocolVersion() == ProtocolVersion.RESP2) {
			if (this.problem == null) {
				logger.warn("perfkit cache: client tracking needs RESP3, but the connection speaks RESP2 (Redis "
						+ "older than 6, or the client configured for RESP2); caches with invalidation tracking "
						+ "only see perfkit's messages if set to 'both', and otherwise local copies live up to "
						+ "local.ttl");
			}
			this.problem = "RESP2";
			return false;
		}
		// Start over: a prefix may not overlap one the connection already tracks (other
		// prefixes now, or an earlier ON whose reply timed out after the server applied it).
		// OFF on a connection that does not track is a no-op.
		await(node.connection.async().clientTracking(TrackingArgs.Builder.enabled(false)));
		String[] list = wanted.toArray(String[]::new);
		await(node.connection.async().clientTracking(TrackingArgs.Builder.enabled().bcast().prefixes(list)));
		long after = await(node.connection.async().clientId());
		if (after != id) {
			// Reconnected in between: the new connection may not track; next round.
			return false;
		}
		node.clientId = id;
		node.prefixes = wanted;
		node.enabled = true;
		this.problem = null;
		return true;
	}

	private boolean open() {
		this.connector.connect();
		AbstractRedisClient native_;
		try {
			native_ = this.connector.client();
		}
		catch (RuntimeException ex) {
			return false;
		}
		StatefulConnection<byte[], byte[]> opened = null;
		try {
			if (native_ instanceof RedisClusterClient cluster) {
				StatefulRedisClusterConnection<byte[], byte[]> clustered = cluster.connect(ByteArrayCodec.INSTANCE);
				clustered.addListener((RedisClusterNode node, PushMessage message) -> pushed(message));
				opened = clustered;
			}
			else if (native_ instanceof RedisClient standalone) {
				StatefulRedisConnection<byte[], byte[]> single = standalone.connect(ByteArrayCodec.INSTANCE);
				single.addListener(this::pushed);
				opened = single;
			}
			else {
				return false;
			}
			native_.addListener(this.stateListener);
			this.client = native_;
			this.connection = opened;
			return true;
		}
		catch (RuntimeException ex) {
			logger.debug("perfkit cache could not open its client tracking connection: {}", ex.toString());
			if (opened != null) {
				opened.closeAsync();
			}
			return false;
		}
	}

	@SuppressWarnings("unchecked")
	private Map<String, StatefulRedisConnection<byte[], byte[]>> nodeConnections() {
		Map<String, StatefulRedisConnection<byte[], byte[]>> current = new LinkedHashMap<>();
		StatefulConnection<byte[], byte[]> opened = this.connection;
		if (opened instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster) {
			for (RedisClusterNode node : cluster.getPartitions()) {
				if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
					current.put(node.getNodeId(), cluster.getConnection(node.getNodeId()));
				}
			}
		}
		else if (opened != null) {
			current.put(STANDALONE, (StatefulRedisConnection<byte[], byte[]>) opened);
		}
		return current;
	}

	private void pushed(PushMessage message) {
		if (!"invalidate".equals(message.getType())) {
			return;
		}
		List<Object> content = message.getContent((buffer) -> (buffer != null) ? decode(buffer) : null);
		Object keys = (content.size() > 1) ? content.get(1) : null;
		if (keys instanceof List<?> list) {
			List<String> changed = new ArrayList<>(list.size());
			for (Object key : list) {
				if (key != null) {
					changed.add(key.toString());
				}
			}
			this.receiver.onKeys(changed);
		}
		else {
			// FLUSHALL or FLUSHDB: every key may be gone.
			this.receiver.onFlush("tracking");
		}
	}

	private static String decode(ByteBuffer buffer) {
		return StringCodec.UTF8.decodeKey(buffer);
	}

	/**
	 * The prefixes to send: Redis refuses, on one connection, a prefix that another one
	 * starts with (caches {@code a} and {@code a:b}), and the shorter one covers both.
	 */
	static Set<String> minimal(Set<String> prefixes) {
		Set<String> minimal = new TreeSet<>();
		for (String prefix : new TreeSet<>(prefixes)) {
			if (minimal.stream().noneMatch(prefix::startsWith)) {
				minimal.add(prefix);
			}
		}
		return minimal;
	}

	private <T> T await(RedisFuture<T> reply) {
		long timeout = this.connector.settings().commandTimeout().toMillis() + 1000;
		try {
			return reply.get(timeout, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
		catch (Exception ex) {
			reply.cancel(false);
			throw new IllegalStateException(ex.toString(), ex);
		}
	}

	private boolean isOurs(RedisChannelHandler<?, ?> handler) {
		if (handler == this.connection) {
			return true;
		}
		for (Node node : this.nodes.values()) {
			if (node.connection == handler) {
				return true;
			}
		}
		return false;
	}

	@Override
	public void close() {
		this.closed = true;
		this.worker.shutdownNow();
		AbstractRedisClient current = this.client;
		if (current != null) {
			current.removeListener(this.stateListener);
		}
		StatefulConnection<byte[], byte[]> opened = this.connection;
		this.connection = null;
		this.nodes.clear();
		if (opened != null) {
			RedisConnector.closeAndWait(opened);
		}
	}

	/**
	 * One node's tracking connection and what the server tracks for it.
	 */
	private static final class Node {

		final StatefulRedisConnection<byte[], byte[]> connection;

		/** The server's id of the connection tracking was enabled on. */
		volatile long clientId = -1;

		volatile Set<String> prefixes = Set.of();

		volatile boolean enabled;

		Node(StatefulRedisConnection<byte[], byte[]> connection) {
			this.connection = connection;
		}

	}

	/**
	 * Lettuce reports a (re)connect or a disconnect of one of our connections: check at
	 * once rather than at the next tick.
	 */
	private final class StateListener implements RedisConnectionStateListener {

		@Override
		public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
			if (isOurs(handler)) {
				soon();
			}
		}

		@Override
		public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
			if (isOurs(handler)) {
				for (Node node : TrackingInvalidations.this.nodes.values()) {
					if (node.connection == handler || handler == TrackingInvalidations.this.connection) {
						node.enabled = false;
					}
				}
				soon();
			}
		}

	}

}
