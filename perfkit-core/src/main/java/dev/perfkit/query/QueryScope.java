package dev.perfkit.query;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The unit of work that N+1 detection looks at: an HTTP request or a transaction on the
 * current thread. Opening a scope while one is open joins it, so a transaction inside a
 * request counts as part of the request; only the outermost {@link #close()} reports.
 * <p>
 * A scope belongs to one thread and is never shared, so its tallies need no locking.
 */
public final class QueryScope implements AutoCloseable {

	private static final ThreadLocal<State> CURRENT = new ThreadLocal<>();

	private final State state;

	private final State previous;

	private final boolean owner;

	private boolean closed;

	private QueryScope(State state, State previous, boolean owner) {
		this.state = state;
		this.previous = previous;
		this.owner = owner;
	}

	/**
	 * Open a scope on the current thread, or join the one already open.
	 * @param entryPoint the route or transaction name that reports will name
	 * @return the scope, to close when the unit of work ends
	 */
	public static QueryScope open(String entryPoint) {
		State current = CURRENT.get();
		if (current != null) {
			current.depth++;
			return new QueryScope(current, null, false);
		}
		State state = new State(entryPoint);
		CURRENT.set(state);
		return new QueryScope(state, null, true);
	}

	/**
	 * Open a fresh scope that hides any open one until it is closed (for assertions in
	 * tests).
	 * @param entryPoint the name that reports will use
	 * @return the scope
	 */
	static QueryScope openIsolated(String entryPoint) {
		State previous = CURRENT.get();
		State state = new State(entryPoint);
		CURRENT.set(state);
		return new QueryScope(state, previous, true);
	}

	/**
	 * Name the current scope's entry point more precisely, such as a request's route
	 * pattern once the handler is known. Does nothing without an open scope.
	 * @param entryPoint the name
	 */
	public static void describeCurrent(String entryPoint) {
		State current = CURRENT.get();
		if (current != null && entryPoint != null) {
			current.entryPoint = entryPoint;
		}
	}

	/**
	 * Return the current scope's entry point.
	 * @return the entry point, or {@code null} outside a scope
	 */
	public static String currentEntryPoint() {
		State current = CURRENT.get();
		return (current != null) ? current.entryPoint : null;
	}

	static State current() {
		return CURRENT.get();
	}

	State state() {
		return this.state;
	}

	/**
	 * Close the scope; the outermost close reports the N+1 suspects it found.
	 */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		if (!this.owner) {
			this.state.depth--;
			return;
		}
		try {
			for (Tally tally : this.state.suspects) {
				tally.reporter.report(this.state.entryPoint, tally);
			}
		}
		finally {
			if (this.previous != null) {
				CURRENT.set(this.previous);
			}
			else {
				CURRENT.remove();
			}
		}
	}

	/** What one scope has seen. */
	static final class State {

		/**
		 * Bound on distinct fingerprints tallied per scope, so that a long batch job in one
		 * transaction cannot grow it without limit; later fingerprints are not judged.
		 */
		static final int MAX_TALLIES = 1000;

		String entryPoint;

		int depth;

		int statements;

		final Map<Fingerprint, Tally> tallies = new HashMap<>();

		final List<Tally> suspects = new ArrayList<>();

		State(String entryPoint) {
			this.entryPoint = (entryPoint != null) ? entryPoint : "(unnamed)";
		}

		Tally tally(Fingerprint fingerprint) {
			Tally tally = this.tallies.get(fingerprint);
			if (tally == null && this.tallies.size() >= MAX_TALLIES) {
				return null;
			}
			if (tally == null) {
				tally = new Tally(fingerprint);
				this.tallies.put(fingerprint, tally);
			}
			return tally;
		}

	}

	/** Executions of one fingerprint in one scope. */
	static final class Tally {

		final Fingerprint fingerprint;

		int executions;

		private long[] parameterHashes = new long[4];

		private int distinct;

		/** Who reports this tally as an N+1 suspect when the scope closes, once set. */
		Reporter reporter;

		String caller;

		Tally(Fingerprint fingerprint) {
			this.fingerprint = fingerprint;
		}

		/** Count a parameter set and return how many distinct ones were seen. */
		int addParameters(long hash) {
			for (int i = 0; i < this.distinct; i++) {
				if (this.parameterHashes[i] == hash) {
					return this.distinct;
				}
			}
			if (this.distinct == this.parameterHashes.length) {
				this.parameterHashes = java.util.Arrays.copyOf(this.parameterHashes, this.distinct * 2);
			}
			this.parameterHashes[this.distinct++] = hash;
			return this.distinct;
		}

	}

	/** Reports a suspect when its scope closes. */
	interface Reporter {

		void report(String entryPoint, Tally tally);

	}

}
