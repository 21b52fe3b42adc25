package dev.perfkit.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One quota's Redis calls in flight on this instance, per key: concurrent checks of a key
 * that may be limited wait for the call in flight instead of sending their own, so that a
 * flood on a key another instance exhausted costs Redis one call from this instance, not
 * one per thread.
 * <p>
 * <b>Implementation note.</b> A check that the {@link Shortcuts} cannot answer
 * {@linkplain #depart departs}: it calls Redis itself when no call for its key is in flight
 * (it leads), or when the latest answer for the key left room for it and the calls
 * already in flight (a key known to be healthy is not slowed down); otherwise it waits for
 * the next answer for its key. A waiting check then asks the shortcut again: when that
 * answer was a rejection the shortcut now holds, it is rejected from there with Redis's
 * figures; otherwise (the answer admitted, or could not be had, or rejected a smaller
 * cost) it calls Redis itself, without waiting again, so no check waits for more than one
 * answer before its own call. A waiting check is never admitted by anyone but Redis, so
 * coalescing cannot admit more than Redis would.
 * <p>
 * The state of a key exists only while one of this instance's calls for it is in flight
 * (the latest answer's room is forgotten with the last of them), so memory is bounded by
 * the calls in flight. Every change to a key's flight happens inside the map's
 * {@code compute} for that key; the futures that waiting checks hold are completed
 * outside it, so a waiter's continuation never runs under the map's lock.
 */
final class Flights {

	private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();

	/**
	 * Depart a check: either it calls Redis now (registered as in flight, and must then
	 * {@link #landed land}), or it waits for the next answer for its key.
	 * @param key the caller's key
	 * @param cost the check's cost
	 * @return {@code null} to call Redis now, else the next answer for the key (completed
	 * with {@code null} when that call got no answer), never completed exceptionally
	 */
	CompletableFuture<Decision> depart(String key, long cost) {
		Departure departure = new Departure();
		this.flights.compute(key, (ignored, flight) -> {
			if (flight == null) {
				flight = new Flight();
			}
			else if (flight.reserved + cost > flight.room) {
				if (flight.next == null) {
					flight.next = new CompletableFuture<>();
				}
				departure.wait = flight.next;
				return flight;
			}
			flight.calls++;
			flight.reserved += cost;
			return flight;
		});
		return departure.wait;
	}

	/**
	 * Register a call to Redis that does not wait: a check that already waited for one
	 * answer.
	 * @param key the caller's key
	 * @param cost the check's cost
	 */
	void board(String key, long cost) {
		this.flights.compute(key, (ignored, flight) -> {
			if (flight == null) {
				flight = new Flight();
			}
			flight.calls++;
			flight.reserved += cost;
			return flight;
		});
	}

	/**
	 * Land a call, after the shortcut has taken a rejection in, and hand its answer to the
	 * checks waiting for the key.
	 * @param key the caller's key
	 * @param cost the check's cost
	 * @param answer Redis's decision, or {@code null} when the call failed
	 */
	void landed(String key, long cost, Decision answer) {
		Landing landing = new Landing();
		this.flights.computeIfPresent(key, (ignored, flight) -> {
			flight.calls--;
			flight.reserved -= cost;
			flight.room = (answer != null && answer.allowed()) ? answer.remaining() : 0;
			landing.waiting = flight.next;
			flight.next = null;
			return (flight.calls > 0) ? flight : null;
		});
		if (landing.waiting != null) {
			landing.waiting.complete(answer);
		}
	}

	/** Keys with a call in flight, for tests. */
	int size() {
		return this.flights.size();
	}

	private static final class Flight {

		/** This instance's calls for the key in flight. */
		int calls;

		/** Their costs. */
		long reserved;

		/** The permits the latest answer left; 0 when unknown or rejected. */
		long room;

		/** The next answer, when a check waits for it. */
		CompletableFuture<Decision> next;

	}

	private static final class Departure {

		CompletableFuture<Decision> wait;

	}

	private static final class Landing {

		CompletableFuture<Decision> waiting;

	}

}
