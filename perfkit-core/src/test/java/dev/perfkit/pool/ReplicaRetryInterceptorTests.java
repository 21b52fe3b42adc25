package dev.perfkit.pool;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which failures {@link ReplicaRetryInterceptor} takes for a broken connection; the retry
 * itself is tested against PostgreSQL in the starter (ReplicaRetryIntegrationTests).
 */
class ReplicaRetryInterceptorTests {

	@Test
	void connectionFailuresAreFoundAnywhereInTheCauseChain() {
		assertThat(ReplicaRetryInterceptor.isConnectionFailure(new DataAccessResourceFailureException("JDBC commit",
				new SQLException("An I/O error occurred while sending to the backend.", "08006")))).isTrue();
		assertThat(ReplicaRetryInterceptor.isConnectionFailure(new TransactionSystemException("rollback",
				new IllegalStateException(new SQLException("This connection has been closed.", "08003"))))).isTrue();
		assertThat(ReplicaRetryInterceptor.isConnectionFailure(
				new CannotCreateTransactionException("begin", new SQLTransientConnectionException("timed out"))))
			.isTrue();
		assertThat(ReplicaRetryInterceptor.isConnectionFailure(new SQLNonTransientConnectionException("gone")))
			.isTrue();
	}

	@Test
	void otherFailuresAreNot() {
		assertThat(ReplicaRetryInterceptor.isConnectionFailure(
				new DataIntegrityViolationException("division", new SQLException("division by zero", "22012"))))
			.isFalse();
		assertThat(ReplicaRetryInterceptor.isConnectionFailure(new DataAccessResourceFailureException("no cause")))
			.isFalse();
		assertThat(ReplicaRetryInterceptor.isConnectionFailure(new SQLException("no state"))).isFalse();
		assertThat(ReplicaRetryInterceptor.isConnectionFailure(new IllegalStateException("application"))).isFalse();
	}

	@Test
	void aCauseCycleEnds() {
		IllegalStateException first = new IllegalStateException("first");
		IllegalStateException second = new IllegalStateException("second", first);
		first.initCause(second);
		assertThat(ReplicaRetryInterceptor.isConnectionFailure(first)).isFalse();
	}

}
