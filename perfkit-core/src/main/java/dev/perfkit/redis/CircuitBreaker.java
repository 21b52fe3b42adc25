package dev.perfkit.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A count-based circuit breaker for calls to a remote server.
 * <p>
 * <b>Implementation note.</b> {@code failureThreshold} consecutive failures open the
 * breaker; while open every {@link #tryAcquire()} is refused at once, so callers do not
 * queue behind a dead server. Once {@code openDuration} has passed, exactly one caller
 * wins the move to half-open and carries the trial call: its success closes the breaker,
 * its failure opens it again for another {@code openDuration}; a trial not reported
 * within {@code openDuration} is taken over by the next caller (listeners hear nothing
 * new: the breaker stays half-open). State changes are
 * compare-and-set on one reference, so concurrent callers agree on who carries the
 * trial, and listeners hear each transition once.
 */
public final class CircuitBreaker {

	/**
	 * The breaker's states.
	 */
	public enum State {

		/** Calls go through. */
		CLOSED,

		/** Calls are refused until the open duration has passed. */
		OPEN,

		/** One trial call is in flight; the others are refused. */
		HALF_OPEN

	}

	private final int failureThreshold;

	private final long openNanos;

	private final LongSupplier nanoTime;

	private final AtomicInteger consecutiveFailures = new AtomicInteger();

	private final AtomicReference<Phase> phase = new AtomicReference<>(new Phase(State.CLOSED, 0));

	private final List<Consumer<State>> listeners = new CopyOnWriteArrayList<>();

	/**
	 * Create a breaker on the system's nano clock.
	 * @param failureThreshold consecutive failures that open it, at least 1
	 * @param openDuration how long it stays open before a trial call
	 */
	public CircuitBreaker(int failureThreshold, Duration openDuration) {
		this(failureThreshold, openDuration, System::nanoTime);
	}

	/**
	 * Create a breaker on the given nano clock (tests drive it by hand).
	 * @param failureThreshold consecutive failures that open it, at least 1
	 * @param openDuration how long it stays open before a trial call
	 * @param nanoTime the clock
	 */
	public CircuitBreaker(int failureThreshold, Duration openDuration, LongSupplier nanoTime) {
		if (failureThreshold < 1) {
			throw new IllegalArgumentException("failureThreshold must be at least 1, was " + failureThreshold);
		}
		if (openDuration.isNegative()) {
			throw new IllegalArgumentException("openDuration must not be negative, was " + openDuration);
		}
		this.failureThreshold = failureThreshold;
		this.openNanos = openDuration.toNanos();
		this.nanoTime = nanoTime;
	}

	/**
	 * Ask to make a call. A caller that gets {@code true} must report the outcome with
	 * {@link #onSuccess()} or {@link #onFailure()}.
	 * @return whether the call may go ahead
	 */
	public boolean tryAcquire() {
		Phase current = this.phase.get();
		switch (current.state) {
			case CLOSED:
				return true;
			case HALF_OPEN:
				// A trial not reported within an open duration is taken as lost (its caller
				// gave up without a word): another caller carries the next one, so a caller
				// that forgets to report can never leave the breaker half-open for good.
				return this.nanoTime.getAsLong() - current.since >= this.openNanos
						&& this.phase.compareAndSet(current, new Phase(State.HALF_OPEN, this.nanoTime.getAsLong()));
			default:
				if (this.nanoTime.getAsLong() - current.since < this.openNanos) {
					return false;
				}
				return transition(current, State.HALF_OPEN);
		}
	}

	/**
	 * Report a successful call.
	 */
	public void onSuccess() {
		// Read before writing: every call on a healthy connection reports a success, and
		// a write on each would bounce this counter's cache line between all the callers'
		// cores. Reading 0 and writing nothing is the same as writing 0 at that moment.
		if (this.consecutiveFailures.get() != 0) {
			this.consecutiveFailures.set(0);
		}
		Phase current = this.phase.get();
		if (current.state != State.CLOSED) {
			transition(current, State.CLOSED);
		}
	}

	/**
	 * Report a failed call.
	 */
	public void onFailure() {
		Phase current = this.phase.get();
		if (current.state == State.HALF_OPEN) {
			transition(current, State.OPEN);
			return;
		}
		if (this.consecutiveFailures.incrementAndGet() >= this.failureThreshold && current.state == State.CLOSED) {
			transition(current, State.OPEN);
		}
	}

	/**
	 * Return the current state.
	 * @return the state
	 */
	public State state() {
		return this.phase.get().state;
	}

	/**
	 * Listen to state changes. Listeners run on the thread that caused the change and must
	 * be quick.
	 * @param listener the listener
	 */
	public void onStateChange(Consumer<State> listener) {
		this.listeners.add(listener);
	}

	private boolean transition(Phase from, State to) {
		Phase next = new Phase(to, this.nanoTime.getAsLong());
		if (!this.phase.compareAndSet(from, next)) {
			return false;
		}
		if (to == State.CLOSED) {
			this.consecutiveFailures.set(0);
		}
		for (Consumer<State> listener : this.listeners) {
			listener.accept(to);
		}
		return true;
	}

	private record Phase(State state, long since) {
	}

}
