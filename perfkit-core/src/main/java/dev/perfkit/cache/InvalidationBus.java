package dev.perfkit.cache;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.perfkit.redis.RedisConnector;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The invalidation channel between instances: classic Redis pub/sub (which a cluster
 * forwards to every node), on a pub/sub connection of its own over the connector's
 * native client.
 * <p>
 * <b>Implementation note.</b> Each instance has a random sender id and numbers its
 * messages 1, 2, 3, ...; numbers are taken and messages queued under one lock, so they
 * leave in order on the one connection. A receiver remembers the last number per sender:
 * a jump means messages were lost (a publish that failed after its write, a script whose
 * reply never came, a cluster bus hiccup), and the receiver flushes its local tiers. A
 * loss at the tail, with no later message to reveal it, is caught by the heartbeat: every
 * second (by default) each sender publishes the last number it took at least a command
 * timeout earlier (so every such message's script has run), queued behind its messages,
 * and a receiver that has seen fewer flushes. A sender not heard from before
 * counts as having sent nothing, so losing its first messages is a jump too. The same
 * tick runs the caches' reconciliation, so a key whose write failed or timed out is
 * deleted from Redis and announced as soon as Redis answers again, whatever the breaker
 * and the subscription did meanwhile. So
 * every number taken must be published: a number whose command is refused before it is
 * queued (Redis unavailable) is given back, and a write the server may decline
 * (put-if-absent) publishes a filler of the same number that drops nothing (see
 * {@link Invalidation}). On a cluster the
 * message of a {@code put}, {@code evict} or {@code putIfAbsent} is published by the
 * master that holds the key (see {@link RemoteTier}), so two writes on different masters
 * may arrive swapped, and the earlier one's script may not even have run when the later
 * one arrives (its master's connection was reconnecting, say): the receiver sees a jump
 * and flushes once, which costs hit rate, but the skipped number stays owed. A flush
 * before that write cannot stand for its message (a copy read from Redis after the flush
 * and before the write is dropped only by the message), so {@link #lastSeen} counts only
 * the unbroken run of numbers acted on: a message applied, or a hole that a heartbeat
 * naming it showed lost and a flush covered. Every (re)subscription also
 * flushes them, because anything may have been missed while the subscription was down;
 * Lettuce resubscribes by itself after a reconnect, and the server's confirmation is what
 * tells us. Messages are applied on Lettuce's event loop, so handlers only touch local
 * memory.
 */
final class InvalidationBus implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(InvalidationBus.class);

	private final RedisConnector connector;

	private final byte[] channel;

	private final Receiver receiver;

	private final long sender = ThreadLocalRandom.current().nextLong() | 1;

	private final AtomicLong sequence = new AtomicLong();

	private final Cache<Long, Heard> heard = Caffeine.newBuilder()
		.maximumSize(10_000)
		.expireAfterAccess(Duration.ofHours(1))
		.build();

	private final ScheduledExecutorService worker;

	/** (nano time, last number) per heartbeat tick; only the heartbeat touches it. */
	private final java.util.ArrayDeque<long[]> samples = new java.util.ArrayDeque<>();

	private volatile StatefulRedisPubSubConnection<byte[], byte[]> connection;

	private volatile boolean subscribed;

	private volatile boolean closed;

	/**
	 * What the bus tells the caches.
	 */
	interface Receiver {

		void onInvalidation(Invalidation invalidation);

		void onFlush(String reason);

	}

	InvalidationBus(RedisConnector connector, byte[] channel, Receiver receiver) {
		this.connector = connector;
		this.channel = channel;
		this.receiver = receiver;
		this.worker = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "perfkit-cache-invalidations");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Subscribe (and keep subscribing while the subscription is missing), and every
	 * {@code heartbeat} publish this sender's last number and run {@code tick} (the
	 * caches' reconciliation), all on the bus's own thread.
	 */
	void start(Duration retry, Duration heartbeat, Runnable tick) {
		this.worker.scheduleWithFixedDelay(this::ensureSubscribed, 0, Math.max(50, retry.toMillis()),
				TimeUnit.MILLISECONDS);
		long every = Math.max(10, heartbeat.toMillis());
		this.worker.scheduleWithFixedDelay(() -> {
			try {
				heartbeat();
				tick.run();
			}
			catch (RuntimeException ex) {
				logger.debug("perfkit cache heartbeat failed: {}", ex.toString());
			}
		}, every, every, TimeUnit.MILLISECONDS);
	}

	/**
	 * Publish the last number taken at least a command timeout ago (plus a margin), queued
	 * (under the lock) behind every message already numbered, so a receiver that saw fewer
	 * knows it lost some, even when no later message would have told it. The lag matters
	 * on a cluster: a message is published by the master that owns its key and forwarded
	 * over the cluster bus, while the heartbeat may reach the receiver's node directly; a
	 * heartbeat naming a number whose script had not run yet would make a receiver flush
	 * too early and then count the message as heard. Every command numbered that long ago
	 * has run or been given up on, save on a stalled server: a script that timed out on a
	 * paused or busy master runs when the master resumes, after the heartbeat that named
	 * its number. Its message is then late, not lost: it is applied whatever its number,
	 * and the write it announces timed out, so reconciliation deletes the key and announces
	 * it again once the master answers (see {@link Reconciler}).
	 */
	synchronized void heartbeat() {
		long now = System.nanoTime();
		this.samples.addLast(new long[] { now, this.sequence.get() });
		long lag = this.connector.settings().commandTimeout().toNanos() + TimeUnit.MILLISECONDS.toNanos(50);
		long stated = -1;
		while (!this.samples.isEmpty() && now - this.samples.peekFirst()[0] >= lag) {
			stated = this.samples.pollFirst()[1];
		}
		if (stated < 0) {
			return;
		}
		// Keep the newest sample old enough, for the next tick.
		this.samples.addFirst(new long[] { now - lag, stated });
		// By the connection, not the breaker: once an open breaker's duration has passed, the
		// heartbeat is its trial, so the breaker closes again even when no caller asks.
		if (this.closed || !this.connector.isConnected()) {
			return;
		}
		Invalidation beat = new Invalidation(Invalidation.Kind.HEARTBEAT, this.sender, stated, "",
				java.util.List.of());
		byte[] message = beat.encode();
		this.connector.execute((api) -> api.publish(this.channel, message));
	}

	long sender() {
		return this.sender;
	}

	/**
	 * Return the number of the last message this instance numbered.
	 */
	long sequence() {
		return this.sequence.get();
	}

	/**
	 * Return the number up to which everything a sender published has been acted on
	 * here (each message applied, or its loss detected by a heartbeat and a flush done),
	 * or {@code -1} if the sender was never heard from. Not the highest number heard: on
	 * a cluster a later message can arrive before an earlier one.
	 */
	long lastSeen(long sender) {
		Heard from = this.heard.getIfPresent(sender);
		return (from != null) ? from.contiguous() : -1;
	}

	boolean isSubscribed() {
		StatefulRedisPubSubConnection<byte[], byte[]> current = this.connection;
		return this.subscribed && current != null && current.isOpen();
	}

	/**
	 * Run a task on the bus's own thread, away from callers and the event loop.
	 */
	void runLater(Runnable task) {
		if (!this.closed) {
			this.worker.execute(task);
		}
	}

	/**
	 * Announce an invalidation. Call only after Redis acknowledged the write it announces.
	 */
	java.util.concurrent.CompletableFuture<Long> publish(Invalidation.Kind kind, String cache,
			java.util.List<String> keys) {
		return announce(kind, cache, keys,
				(channel, message) -> this.connector.execute((api) -> api.publish(channel, message)));
	}

	/**
	 * Number the next message and hand it to {@code send}, which must only queue the
	 * command that publishes it (on the connector's one connection, so messages leave in
	 * the order of their numbers), not wait for it.
	 * @param <T> what {@code send} returns, usually the pending reply
	 * @param kind what to drop
	 * @param cache the cache name
	 * @param keys the keys or pattern
	 * @param send queues the command, given the channel and the encoded message
	 * @return what {@code send} returned
	 */
	synchronized <T> T announce(Invalidation.Kind kind, String cache, java.util.List<String> keys,
			BiFunction<byte[], byte[], T> send) {
		Invalidation message = next(kind, cache, keys);
		try {
			return send.apply(this.channel, message.encode());
		}
		catch (RuntimeException ex) {
			unnumber(message);
			throw ex;
		}
	}

	/**
	 * Like {@link #announce}, for a write that the server may decline (a put-if-absent):
	 * {@code send} gets the message and a filler with the same number that drops nothing,
	 * and must queue a command that publishes exactly one of them, the filler when the
	 * write did not happen. Every number thus reaches the receivers, and their gap
	 * detection stays quiet, without anyone dropping a copy of a key that did not change.
	 * @param <T> what {@code send} returns, usually the pending reply
	 * @param cache the cache name
	 * @param keys the keys
	 * @param send queues the command, given the channel, the message and the filler
	 * @return what {@code send} returned
	 */
	synchronized <T> T announceIfWritten(String cache, java.util.List<String> keys, ConditionalSend<T> send) {
		Invalidation message = next(Invalidation.Kind.KEYS, cache, keys);
		try {
			return send.apply(this.channel, message.encode(), message.filler().encode());
		}
		catch (RuntimeException ex) {
			unnumber(message);
			throw ex;
		}
	}

	/**
	 * Queues a command that publishes one of two messages of the same number.
	 * @param <T> what is returned, usually the pending reply
	 */
	@FunctionalInterface
	interface ConditionalSend<T> {

		T apply(byte[] channel, byte[] message, byte[] filler);

	}

	private Invalidation next(Invalidation.Kind kind, String cache, java.util.List<String> keys) {
		return new Invalidation(kind, this.sender, this.sequence.incrementAndGet(), cache, keys);
	}

	/**
	 * Give a number back when its command could not even be queued (Redis is unavailable):
	 * otherwise the next message would look to every receiver like a lost one and flush
	 * their local tiers for nothing. Safe under the lock, which no other number was taken
	 * under meanwhile; should the command have left after all, the next message merely
	 * repeats its number, and receivers apply both.
	 */
	private void unnumber(Invalidation message) {
		this.sequence.compareAndSet(message.sequence(), message.sequence() - 1);
	}

	private void ensureSubscribed() {
		if (this.closed || this.connection != null) {
			return;
		}
		this.connector.connect();
		StatefulRedisPubSubConnection<byte[], byte[]> opened = null;
		try {
			AbstractRedisClient client = this.connector.client();
			if (client instanceof RedisClusterClient cluster) {
				opened = cluster.connectPubSub(ByteArrayCodec.INSTANCE);
			}
			else if (client instanceof RedisClient standalone) {
				opened = standalone.connectPubSub(ByteArrayCodec.INSTANCE);
			}
			else {
				return;
			}
			opened.addListener(new Listener());
			opened.async().subscribe(this.channel).get(this.connector.settings().commandTimeout().toMillis() + 1000,
					TimeUnit.MILLISECONDS);
			this.connection = opened;
		}
		catch (Exception ex) {
			logger.debug("perfkit cache could not subscribe to invalidations: {}", ex.toString());
			if (opened != null) {
				opened.closeAsync();
			}
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public void close() {
		this.closed = true;
		this.worker.shutdownNow();
		StatefulRedisPubSubConnection<byte[], byte[]> current = this.connection;
		this.connection = null;
		if (current != null) {
			// Wait for the close, so that a client shut down right after does not close
			// the connection again (Lettuce's "Connection is already closed" warning).
			RedisConnector.closeAndWait(current);
		}
	}

	private void received(byte[] bytes) {
		Invalidation invalidation = Invalidation.decode(bytes);
		if (invalidation == null || invalidation.sender() == this.sender) {
			return;
		}
		if (!invalidation.dropsNothing()) {
			this.receiver.onInvalidation(invalidation);
		}
		// A sender never heard from counts as having sent nothing yet: its first message is
		// number 1 and its first heartbeat says 0, so a receiver also notices losing a new
		// sender's first messages. (One that joins late flushes once per sender it meets,
		// harmless for a tier that just started.)
		Heard from = this.heard.get(invalidation.sender(), (id) -> new Heard());
		boolean heartbeat = invalidation.kind() == Invalidation.Kind.HEARTBEAT;
		String gap = from.gap(heartbeat, invalidation.sequence());
		if (gap != null) {
			logger.debug("perfkit cache missed invalidations from {}: {}", invalidation.sender(), gap);
			this.receiver.onFlush("gap");
		}
		// Only now, with the message applied (and the flush done), is its number noted.
		from.note(heartbeat, invalidation.sequence());
	}

	/**
	 * What this instance heard from one sender. Messages are applied before their number
	 * is noted here, and a flush is done before a loss is noted, so {@link #contiguous}
	 * only counts what was acted on.
	 * <p>
	 * On a cluster a sender's messages leave from different masters, so number 7 may
	 * arrive before number 6, whose script may not even have run yet. A flush then (the
	 * jump may be a loss) cannot stand for 6: a copy read from Redis after the flush and
	 * before 6's write is only dropped by 6 itself. So 6 stays owed, and only 6 arriving,
	 * or a heartbeat naming 6 or more (by then 6's script has run or never will, so a
	 * flush covers it), settles it. A stalled master can still run 6's script after that
	 * heartbeat; its message is applied when it comes, and 6's write timed out, so its key
	 * waits for reconciliation meanwhile.
	 */
	private static final class Heard {

		/** The most numbers above the contiguous run kept; beyond it they count as lost. */
		private static final int MAX_AHEAD = 4096;

		/** Every number up to this one was applied, or its loss flushed for. */
		private long contiguous;

		/** Numbers above {@code contiguous + 1} already applied, waiting for the ones below. */
		private final java.util.TreeSet<Long> ahead = new java.util.TreeSet<>();

		synchronized long contiguous() {
			return this.contiguous;
		}

		/**
		 * Return what a message (or a heartbeat stating a number) shows lost, for the
		 * caller to flush before it notes the number, or {@code null}.
		 */
		synchronized String gap(boolean heartbeat, long number) {
			if (number <= this.contiguous) {
				return null;
			}
			if (heartbeat) {
				// Every number up to the stated one was taken a command timeout ago: its
				// script has run or never will, so a missing one is lost, not late.
				return (this.contiguous + 1) + ".." + number + " (heartbeat)";
			}
			long highest = this.ahead.isEmpty() ? this.contiguous : this.ahead.last();
			if (number > highest + 1) {
				// Lost or merely late (another master's message); flush in case it is lost,
				// but it stays owed until it arrives or a heartbeat names it.
				return (highest + 1) + ".." + (number - 1);
			}
			if (number != this.contiguous + 1 && this.ahead.size() >= MAX_AHEAD) {
				return "more than " + MAX_AHEAD + " out of order";
			}
			return null;
		}

		/**
		 * Note a message that was applied, or a heartbeat, once the flush for any
		 * {@link #gap} is done.
		 */
		synchronized void note(boolean heartbeat, long number) {
			if (number <= this.contiguous) {
				return;
			}
			if (heartbeat) {
				skipTo(number);
			}
			else if (number == this.contiguous + 1) {
				this.contiguous = number;
				absorb();
			}
			else if (this.ahead.size() >= MAX_AHEAD) {
				// Bounded memory: the holes below count as lost (the flush covered them).
				skipTo(number);
			}
			else {
				this.ahead.add(number);
			}
		}

		private void skipTo(long number) {
			this.contiguous = Math.max(this.contiguous, number);
			this.ahead.headSet(this.contiguous, true).clear();
			absorb();
		}

		private void absorb() {
			while (!this.ahead.isEmpty() && this.ahead.first() == this.contiguous + 1) {
				this.contiguous = this.ahead.pollFirst();
			}
		}

	}

	private final class Listener extends RedisPubSubAdapter<byte[], byte[]> {

		@Override
		public void message(byte[] channel, byte[] message) {
			received(message);
		}

		@Override
		public void subscribed(byte[] channel, long count) {
			// First subscription or Lettuce's resubscription after a reconnect: anything may
			// have been published while we were not listening.
			InvalidationBus.this.subscribed = true;
			InvalidationBus.this.receiver.onFlush("resubscribe");
		}

		@Override
		public void unsubscribed(byte[] channel, long count) {
			InvalidationBus.this.subscribed = false;
		}

	}

}
