package dev.perfkit.cache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One cache's outage bookkeeping: the keys and patterns whose write or announcement may
 * not have reached Redis and the other instances, until reconciliation deletes them from
 * Redis and announces them again.
 * <p>
 * <b>Implementation note.</b> A failed or timed-out write, and a failed announcement, is
 * recorded here; a failed read never is (it changed nothing). Reconciliation runs on the
 * invalidation channel's thread (each heartbeat tick while Redis answers, the breaker
 * closing, each resubscription) while callers keep recording. The race: a key is
 * reconciled, and before it is struck off, a new write of it fails and records it again.
 * Striking it off then would lose the second record, and leave an older value in Redis or
 * in another instance. So every record carries a fresh stamp, and a key is struck off only
 * if its stamp is still the one that was reconciled ({@link #settled}); a newer record
 * survives for the next run. Beyond {@value #MAX_KEYS} keys (or a failed clear) the whole
 * cache is marked instead, and reconciliation clears it; a mark set while a clear runs
 * survives it the same way, because the mark is taken down before the clear starts.
 */
final class OutageLedger {

	static final int MAX_KEYS = 10_000;

	private final AtomicLong stamps = new AtomicLong();

	private final Map<String, Long> keys = new ConcurrentHashMap<>();

	private final Map<String, Long> patterns = new ConcurrentHashMap<>();

	private final AtomicBoolean everything = new AtomicBoolean();

	/**
	 * Record a key; a {@code null} key (a failed clear) marks the whole cache.
	 */
	void recordKey(String id) {
		if (id == null || this.keys.size() >= MAX_KEYS) {
			this.everything.set(true);
		}
		else {
			this.keys.put(id, this.stamps.incrementAndGet());
		}
	}

	void recordPattern(String pattern) {
		this.patterns.put(pattern, this.stamps.incrementAndGet());
	}

	void recordEverything() {
		this.everything.set(true);
	}

	boolean isEmpty() {
		return this.keys.isEmpty() && this.patterns.isEmpty() && !this.everything.get();
	}

	/**
	 * Take down the whole-cache mark, for a reconciliation that clears the cache; the
	 * clear covers every key and pattern recorded so far.
	 * @return whether the cache was marked
	 */
	boolean takeEverything() {
		if (!this.everything.getAndSet(false)) {
			return false;
		}
		this.keys.clear();
		this.patterns.clear();
		return true;
	}

	Map<String, Long> keys() {
		return Map.copyOf(this.keys);
	}

	Map<String, Long> patterns() {
		return Map.copyOf(this.patterns);
	}

	/**
	 * Strike off a key that was reconciled, unless it was recorded again since.
	 */
	void settled(String id, long stamp) {
		this.keys.remove(id, stamp);
	}

	void settledPattern(String pattern, long stamp) {
		this.patterns.remove(pattern, stamp);
	}

}
