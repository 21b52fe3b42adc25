package dev.perfkit.autoconfigure.query;

import java.util.ArrayDeque;
import java.util.Deque;

import dev.perfkit.query.QueryScope;

import org.springframework.transaction.TransactionExecution;
import org.springframework.transaction.TransactionExecutionListener;

/**
 * Opens an N+1 scope for every new transaction, named after it (for
 * {@code @Transactional} methods, the class and method), and closes it on commit,
 * rollback or a failed begin. Spring Boot registers it with every transaction manager.
 * A transaction inside a request joins the request's scope.
 */
final class QueryScopeTransactionListener implements TransactionExecutionListener {

	private static final ThreadLocal<Deque<QueryScope>> SCOPES = ThreadLocal.withInitial(ArrayDeque::new);

	@Override
	public void beforeBegin(TransactionExecution transaction) {
		String name = transaction.getTransactionName();
		SCOPES.get().push(QueryScope.open((name != null && !name.isEmpty()) ? name : "(transaction)"));
	}

	@Override
	public void afterBegin(TransactionExecution transaction, Throwable beginFailure) {
		if (beginFailure != null) {
			close();
		}
	}

	@Override
	public void afterCommit(TransactionExecution transaction, Throwable commitFailure) {
		close();
	}

	@Override
	public void afterRollback(TransactionExecution transaction, Throwable rollbackFailure) {
		close();
	}

	private static void close() {
		Deque<QueryScope> scopes = SCOPES.get();
		QueryScope scope = scopes.poll();
		if (scopes.isEmpty()) {
			SCOPES.remove();
		}
		if (scope != null) {
			scope.close();
		}
	}

}
