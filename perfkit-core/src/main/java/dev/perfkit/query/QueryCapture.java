package dev.perfkit.query;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A helper for an application's own tests: counts the statements the current thread runs
 * between {@link #start()} and {@link #close()} through any data source wrapped by
 * perfkit, and asserts that none of them formed an N+1 pattern.
 *
 * <pre class="code">
 * try (QueryCapture capture = QueryCapture.start()) {
 *     service.listOrdersWithCustomers();
 *     capture.assertStatementCount(1);
 *     capture.assertNoNPlusOne();
 * }
 * </pre>
 */
public final class QueryCapture implements AutoCloseable {

	private final QueryScope scope;

	private QueryCapture(QueryScope scope) {
		this.scope = scope;
	}

	/**
	 * Start capturing on the current thread.
	 * @return the capture, to close at the end of the test block
	 */
	public static QueryCapture start() {
		return new QueryCapture(QueryScope.openIsolated("test capture"));
	}

	/**
	 * Return how many statements ran so far (a batch counts once).
	 * @return the statement count
	 */
	public int statementCount() {
		return this.scope.state().statements;
	}

	/**
	 * Assert the exact number of statements.
	 * @param expected the expected count
	 * @throws AssertionError when it differs
	 */
	public void assertStatementCount(int expected) {
		if (statementCount() != expected) {
			throw new AssertionError("Expected " + expected + " statements but " + statementCount() + " ran:"
					+ System.lineSeparator() + describe(this.scope.state().tallies.values().stream().toList()));
		}
	}

	/**
	 * Assert that no fingerprint ran with different parameters as often as the N+1
	 * threshold.
	 * @throws AssertionError naming the offending statements
	 */
	public void assertNoNPlusOne() {
		List<QueryScope.Tally> suspects = this.scope.state().suspects;
		if (!suspects.isEmpty()) {
			throw new AssertionError("N+1 statements ran:" + System.lineSeparator() + describe(suspects));
		}
	}

	private static String describe(List<QueryScope.Tally> tallies) {
		return tallies.stream()
			.map((tally) -> "  " + tally.executions + " x " + tally.fingerprint.sql()
					+ ((tally.caller != null) ? " (from " + tally.caller + ")" : ""))
			.collect(Collectors.joining(System.lineSeparator()));
	}

	/**
	 * Stop capturing and restore any scope that was open before.
	 */
	@Override
	public void close() {
		this.scope.close();
	}

}
