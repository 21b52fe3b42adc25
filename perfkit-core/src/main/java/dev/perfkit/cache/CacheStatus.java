package dev.perfkit.cache;

/**
 * Records, for one unit of work on one thread (such as a web request), whether the
 * perfkit caches it read served every value ({@code HIT}) or missed at least once
 * ({@code MISS}). Nothing is recorded unless a scope is open, so the cost outside a scope
 * is one thread-local read.
 */
public final class CacheStatus {

	private static final ThreadLocal<Scope> current = new ThreadLocal<>();

	private CacheStatus() {
	}

	/**
	 * Open a scope on this thread; close it when the unit of work ends.
	 * @return the scope
	 */
	public static Scope open() {
		Scope scope = new Scope();
		current.set(scope);
		return scope;
	}

	/**
	 * Return the scope open on this thread.
	 * @return the scope, or {@code null}
	 */
	public static Scope current() {
		return current.get();
	}

	static void record(boolean hit) {
		Scope scope = current.get();
		if (scope != null) {
			scope.record(hit);
		}
	}

	/**
	 * One unit of work's cache outcome.
	 */
	public static final class Scope implements AutoCloseable {

		private boolean read;

		private boolean missed;

		private Scope() {
		}

		void record(boolean hit) {
			this.read = true;
			this.missed |= !hit;
		}

		/**
		 * Return {@code HIT} when every cache read hit, {@code MISS} when one missed.
		 * @return the status, or {@code null} when no cache was read
		 */
		public String status() {
			if (!this.read) {
				return null;
			}
			return this.missed ? "MISS" : "HIT";
		}

		@Override
		public void close() {
			if (current.get() == this) {
				current.remove();
			}
		}

	}

}
