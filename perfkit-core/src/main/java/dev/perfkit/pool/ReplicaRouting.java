package dev.perfkit.pool;

import java.time.Duration;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;

/**
 * Builds the routing data source for a primary and a read replica with Spring's own
 * {@link LazyConnectionDataSourceProxy}: a connection is fetched lazily, once the
 * transaction's read-only flag is known, from the replica for
 * {@code @Transactional(readOnly = true)} work and from the primary otherwise.
 */
public final class ReplicaRouting {

	private ReplicaRouting() {
	}

	/**
	 * Route read-only work to the replica, falling back to the primary while it is down.
	 * @param primary the primary data source
	 * @param replica the replica data source
	 * @param retryAfter how long the replica is left alone after a failure
	 * @return the routing data source
	 */
	public static LazyConnectionDataSourceProxy route(DataSource primary, DataSource replica, Duration retryAfter) {
		return route(primary, new ReplicaFallbackDataSource(replica, primary, retryAfter));
	}

	/**
	 * Route read-only work to a replica behind a fallback data source.
	 * @param primary the primary data source
	 * @param readOnly the replica with its fallback to the primary
	 * @return the routing data source
	 */
	public static LazyConnectionDataSourceProxy route(DataSource primary, ReplicaFallbackDataSource readOnly) {
		LazyConnectionDataSourceProxy routing = new LazyConnectionDataSourceProxy(primary);
		routing.setReadOnlyDataSource(readOnly);
		return routing;
	}

}
