package dev.perfkit.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pools an application has, for the health indicator and the actuator view, and the
 * replica pools perfkit created itself (closed with it).
 */
public final class PoolInsight implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(PoolInsight.class);

	private final List<PoolObserver> observers = new CopyOnWriteArrayList<>();

	private final List<ConnectionTracker> trackers = new CopyOnWriteArrayList<>();

	private final List<AutoCloseable> owned = new CopyOnWriteArrayList<>();

	/**
	 * Add a pool to observe.
	 * @param observer the observer
	 */
	public void register(PoolObserver observer) {
		this.observers.add(observer);
	}

	/**
	 * Add a connection tracker whose leaks {@link #sweepLeaks()} looks for.
	 * @param tracker the tracker
	 */
	public void register(ConnectionTracker tracker) {
		this.trackers.add(tracker);
	}

	/**
	 * Take ownership of a resource (a replica pool perfkit created) to close with this.
	 * @param resource the resource
	 */
	public void own(AutoCloseable resource) {
		this.owned.add(resource);
	}

	/**
	 * Return the observed pools.
	 * @return the observers
	 */
	public List<PoolObserver> observers() {
		return List.copyOf(this.observers);
	}

	/**
	 * Return a snapshot of every observed pool.
	 * @return the snapshots
	 */
	public List<PoolSnapshot> snapshots() {
		List<PoolSnapshot> snapshots = new ArrayList<>();
		this.observers.forEach((observer) -> snapshots.add(observer.snapshot()));
		return snapshots;
	}

	/**
	 * Flag connections held past the leak threshold in every tracked pool.
	 * @return how many were newly flagged
	 */
	public int sweepLeaks() {
		int flagged = 0;
		for (ConnectionTracker tracker : this.trackers) {
			flagged += tracker.sweep();
		}
		return flagged;
	}

	@Override
	public void close() {
		for (AutoCloseable resource : this.owned) {
			try {
				resource.close();
			}
			catch (Exception ex) {
				logger.warn("Failed to close {}", resource, ex);
			}
		}
		this.owned.clear();
	}

}
