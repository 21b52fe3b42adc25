package dev.perfkit.pool;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttributeSource;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs a read-only transaction once more, on the primary, when it failed because its
 * replica connection broke under it.
 * <p>
 * <b>Implementation note.</b> {@link ReplicaFallbackDataSource} falls back to the primary
 * when the replica cannot give a connection; a transaction already running on a replica
 * connection that then breaks (the replica crashed, failed over, or the network to it
 * was cut) fails with it, usually at commit. This interceptor sits outside Spring's
 * transaction interceptor (it must be ordered before it), around methods whose
 * transaction attribute is read-only, and retries such a failure once:
 * <ul>
 * <li><b>What is retried:</b> the whole invocation of an outermost read-only transaction
 * (no transaction, no transaction synchronization and no transactional resource bound to
 * the thread on entry) that took a connection from the replica itself (watched through
 * {@link ReplicaFallbackDataSource#watch()}) and failed with a connection failure: an
 * {@link SQLException} of SQLState class {@code 08}, an
 * {@link SQLTransientConnectionException} or {@link SQLNonTransientConnectionException},
 * anywhere in the cause chain (so also Spring's {@code DataAccessResourceFailureException},
 * {@code CannotCreateTransactionException} or {@code TransactionSystemException} caused by
 * one). The replica is marked down first ({@link ReplicaFallbackDataSource#markDown}), so
 * the retry and the callers after it go to the primary for {@code retryAfter}.</li>
 * <li><b>Why that is safe:</b> the transaction was read-only, and it failed, so it changed
 * nothing in the database; its outcome is now either the retry's result or the retry's
 * exception (with the first failure attached as suppressed). It is re-run, never resumed:
 * the retry starts a new transaction on a new connection.</li>
 * <li><b>What is not retried:</b> read-write transactions (their commit may have happened
 * before the connection broke); nested ones (a transaction or a transactional resource
 * already bound on entry: the outer scope would hand the retry the same broken connection
 * or session, and it owns the decision); work that never took a replica connection (the
 * primary failed, or the replica was already down); any other error (bad SQL, a constraint,
 * a timeout, an application exception); a second failure.</li>
 * <li><b>What the method must allow:</b> being called twice. Work it does besides its
 * read-only transaction is done again: a {@code REQUIRES_NEW} read-write transaction it
 * opened, a message it sent. Such methods should not be read-only transactions; the retry
 * can be switched off for the application.</li>
 * </ul>
 * Concurrent retries each mark the replica down; any of them winning is correct, as for
 * {@link ReplicaFallbackDataSource}'s own failures.
 */
public final class ReplicaRetryInterceptor implements MethodInterceptor {

	private static final Logger logger = LoggerFactory.getLogger(ReplicaRetryInterceptor.class);

	private static final int MAX_CAUSES = 32;

	private final Supplier<ReplicaFallbackDataSource> replica;

	private final TransactionAttributeSource attributes;

	private final Supplier<MeterRegistry> registry;

	private volatile Counter succeeded;

	private volatile Counter failed;

	/**
	 * Create an interceptor.
	 * @param replica the replica's fallback data source, or a supplier of {@code null}
	 * while there is none yet (the interceptor then only proceeds)
	 * @param attributes where the methods' transaction attributes come from
	 * @param registry where to count retries ({@code perfkit.replica.retries}), asked on the
	 * first retry (so that creating the interceptor does not create the registry); it may
	 * supply {@code null}
	 */
	public ReplicaRetryInterceptor(Supplier<ReplicaFallbackDataSource> replica, TransactionAttributeSource attributes,
			Supplier<MeterRegistry> registry) {
		this.replica = replica;
		this.attributes = attributes;
		this.registry = registry;
	}

	private static Counter retries(MeterRegistry registry, String outcome) {
		return Counter.builder("perfkit.replica.retries")
			.description("Read-only transactions run again on the primary after their replica connection broke")
			.tag("outcome", outcome)
			.register(registry);
	}

	@Override
	public Object invoke(MethodInvocation invocation) throws Throwable {
		ReplicaFallbackDataSource replica = this.replica.get();
		if (replica == null || !(invocation instanceof ProxyMethodInvocation proxied) || !outermost()
				|| !readOnly(invocation)) {
			return invocation.proceed();
		}
		Throwable first;
		SQLException broken;
		try (ReplicaFallbackDataSource.ReplicaUse use = replica.watch()) {
			try {
				return proxied.invocableClone().proceed();
			}
			catch (Throwable ex) {
				broken = use.tookReplicaConnection() ? connectionFailure(ex) : null;
				if (broken == null) {
					throw ex;
				}
				first = ex;
			}
		}
		// The driver's own exception: a wrapper's message may hold the statement's text.
		replica.markDown(broken);
		logger.info("Read-only transaction {}.{} lost its replica connection; running it again on the primary",
				invocation.getMethod().getDeclaringClass().getSimpleName(), invocation.getMethod().getName());
		try {
			Object result = proxied.invocableClone().proceed();
			count(true);
			return result;
		}
		catch (Throwable ex) {
			count(false);
			if (ex != first) {
				ex.addSuppressed(first);
			}
			throw ex;
		}
	}

	private void count(boolean success) {
		Counter counter = success ? this.succeeded : this.failed;
		if (counter == null) {
			// Registering is idempotent, so racing first retries register the same counter.
			MeterRegistry registry = this.registry.get();
			if (registry == null) {
				return;
			}
			counter = retries(registry, success ? "success" : "failure");
			if (success) {
				this.succeeded = counter;
			}
			else {
				this.failed = counter;
			}
		}
		counter.increment();
	}

	private static boolean outermost() {
		return !TransactionSynchronizationManager.isActualTransactionActive()
				&& !TransactionSynchronizationManager.isSynchronizationActive()
				&& TransactionSynchronizationManager.getResourceMap().isEmpty();
	}

	private boolean readOnly(MethodInvocation invocation) {
		Class<?> targetClass = (invocation.getThis() != null) ? AopUtils.getTargetClass(invocation.getThis()) : null;
		TransactionAttribute attribute = this.attributes.getTransactionAttribute(invocation.getMethod(), targetClass);
		return attribute != null && attribute.isReadOnly();
	}

	/**
	 * Whether the failure, or anything in its cause chain, is a broken or unobtainable
	 * database connection: an {@link SQLException} of SQLState class {@code 08}, or an
	 * {@link SQLTransientConnectionException} or {@link SQLNonTransientConnectionException}.
	 * @param failure the failure
	 * @return {@code true} for a connection failure
	 */
	public static boolean isConnectionFailure(Throwable failure) {
		return connectionFailure(failure) != null;
	}

	private static SQLException connectionFailure(Throwable failure) {
		Throwable current = failure;
		for (int depth = 0; current != null && depth < MAX_CAUSES; depth++) {
			if (current instanceof SQLException sql && (sql instanceof SQLTransientConnectionException
					|| sql instanceof SQLNonTransientConnectionException
					|| (sql.getSQLState() != null && sql.getSQLState().startsWith("08")))) {
				return sql;
			}
			if (current.getCause() == current) {
				return null;
			}
			current = current.getCause();
		}
		return null;
	}

}
