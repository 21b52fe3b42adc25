package dev.perfkit.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The read-only side of replica routing: connections come from the replica, and from the
 * primary while the replica cannot give one.
 * <p>
 * <b>Implementation note.</b> When the replica fails to give a connection it is marked
 * down for {@code retryAfter}; during that time read-only work goes straight to the
 * primary without waiting on the replica again. Concurrent failures race to set the same
 * deadline, and any of them winning is correct. After the deadline the next caller tries
 * the replica again. A connection that breaks after it was handed out is not seen here:
 * {@link ReplicaRetryInterceptor} reports it through {@link #markDown(Throwable)}, which
 * sets the same deadline. A replica connection clears the mark only once the deadline
 * has passed: callers still waiting for a busy replica pool when another one's wait timed
 * out get their connections after the mark, and when they cleared it all read-only work went
 * back to the pool and its wait at once (docs/load-testing.md saw 26 marks and 27 clears in
 * 48 s). A caller that tries the replica after the deadline and finds it up clears the
 * mark; one that finds it down sets a new deadline, and either order is correct.
 * <p>
 * {@link #watch()} lets a caller learn whether its thread took a connection from the
 * replica itself (not from the primary in its stead) while the watch was open: a
 * thread-local record, set only while a watch is open, so unwatched callers pay one
 * thread-local read per connection.
 */
public final class ReplicaFallbackDataSource extends DelegatingDataSource {

	private static final Logger logger = LoggerFactory.getLogger(ReplicaFallbackDataSource.class);

	private final DataSource primary;

	private final long retryAfterNanos;

	private final AtomicLong downUntil = new AtomicLong();

	private final AtomicLong fallbacks = new AtomicLong();

	private volatile boolean down;

	private final ThreadLocal<ReplicaUse> watches = new ThreadLocal<>();

	/**
	 * Create a fallback data source.
	 * @param replica the replica
	 * @param primary the primary, used while the replica is down
	 * @param retryAfter how long the replica is left alone after a failure
	 */
	public ReplicaFallbackDataSource(DataSource replica, DataSource primary, Duration retryAfter) {
		super(replica);
		this.primary = primary;
		this.retryAfterNanos = retryAfter.toNanos();
	}

	@Override
	public Connection getConnection() throws SQLException {
		return connection(DataSource::getConnection);
	}

	/**
	 * A connection for other credentials, with the same fallback: without this override a
	 * caller passing credentials would reach the replica only and fail while it is down.
	 */
	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		return connection((dataSource) -> dataSource.getConnection(username, password));
	}

	private Connection connection(ConnectionSource source) throws SQLException {
		if (this.down && System.nanoTime() - this.downUntil.get() < 0) {
			return fallback(source);
		}
		try {
			Connection connection = source.connect(obtainTargetDataSource());
			ReplicaUse watch = this.watches.get();
			if (watch != null) {
				watch.tookReplicaConnection = true;
			}
			// Only once the deadline has passed: a caller that waited for a busy replica
			// pool from before the mark and got a connection after it says nothing about
			// the replica now.
			if (this.down && System.nanoTime() - this.downUntil.get() >= 0) {
				this.down = false;
				logger.info("Read replica is back: read-only work goes to it again");
			}
			return connection;
		}
		catch (SQLFeatureNotSupportedException ex) {
			// The replica does not take credentials (a pool such as HikariCP): not a sign it is down.
			return fallback(source);
		}
		catch (SQLException | RuntimeException ex) {
			markDown(ex);
			return fallback(source);
		}
	}

	/**
	 * Mark the replica down for {@code retryAfter}, as a failure to get a connection does:
	 * read-only work goes to the primary meanwhile. For a replica connection that broke
	 * while in use.
	 * @param cause what showed the replica to be gone
	 */
	public void markDown(Throwable cause) {
		this.downUntil.set(System.nanoTime() + this.retryAfterNanos);
		if (!this.down) {
			this.down = true;
			logger.warn("Read replica unavailable, read-only work falls back to the primary: {}", cause.getMessage());
		}
	}

	/**
	 * Start recording whether this thread takes a connection from the replica itself until
	 * the returned watch is closed. Watches nest: closing one restores the one before.
	 * @return the open watch, to close on the same thread
	 */
	public ReplicaUse watch() {
		ReplicaUse watch = new ReplicaUse(this.watches.get());
		this.watches.set(watch);
		return watch;
	}

	private Connection fallback(ConnectionSource source) throws SQLException {
		this.fallbacks.incrementAndGet();
		return source.connect(this.primary);
	}

	@FunctionalInterface
	private interface ConnectionSource {

		Connection connect(DataSource dataSource) throws SQLException;

	}

	/**
	 * Whether a thread took a connection from the replica while a {@link #watch()} was open.
	 */
	public final class ReplicaUse implements AutoCloseable {

		private final ReplicaUse previous;

		private boolean tookReplicaConnection;

		private ReplicaUse(ReplicaUse previous) {
			this.previous = previous;
		}

		/**
		 * Whether the thread took a connection from the replica itself (not from the
		 * primary in its stead) since this watch was opened.
		 * @return {@code true} if it did
		 */
		public boolean tookReplicaConnection() {
			return this.tookReplicaConnection;
		}

		@Override
		public void close() {
			if (this.previous != null) {
				this.previous.tookReplicaConnection |= this.tookReplicaConnection;
				ReplicaFallbackDataSource.this.watches.set(this.previous);
			}
			else {
				ReplicaFallbackDataSource.this.watches.remove();
			}
		}

	}

	/**
	 * Return how many connections were taken from the primary instead of the replica.
	 * @return the count
	 */
	public long fallbacks() {
		return this.fallbacks.get();
	}

	/**
	 * Whether the replica is currently considered down.
	 * @return {@code true} while read-only work goes to the primary
	 */
	public boolean replicaDown() {
		return this.down;
	}

}
