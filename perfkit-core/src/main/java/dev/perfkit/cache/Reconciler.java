package dev.perfkit.cache;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * One cache's reconciliation after Redis failed it: what the {@link OutageLedger} holds
 * (keys and patterns whose write or announcement may not have reached Redis and the other
 * instances, or the whole cache) is deleted from Redis and announced again, and dropped
 * from this instance's local tier.
 * <p>
 * <b>Implementation note: what races, and who wins.</b>
 * <ul>
 * <li><b>When it runs.</b> On the invalidation channel's thread: on the manager's
 * heartbeat tick while Redis answers and something is recorded, when the circuit breaker
 * closes, and after every resubscription; the latter two also flush every local tier. A
 * failed read is never recorded: it changed nothing.</li>
 * <li><b>Against this instance's own copies.</b> The announcement reaches only the other
 * instances, and this one may have copied the key from Redis after its write failed and
 * before this ran, when Redis still held the value the write should have replaced (an
 * evict or clear that never reached Redis leaves the old entry there). So each key,
 * pattern or clear is dropped locally too, after the delete: a copy in flight took its
 * token before and loses.</li>
 * <li><b>Against new failures while it runs.</b> Callers keep recording while this runs.
 * A key or pattern is struck off only if its record is still the one that was reconciled
 * ({@link OutageLedger#settled}); a newer record survives for the next run. The
 * whole-cache mark is taken down before the clear starts, so a mark set during the clear
 * survives it; a clear that fails marks the whole cache again. The first other failure
 * ends the run and leaves the rest recorded.</li>
 * <li><b>Against whoever asks whether anything is pending</b> (health, the report, a
 * test waiting for quiescence). A run takes records off the ledger before it is done
 * with them (the whole-cache mark before its clear), so an empty ledger alone does not
 * mean reconciled: the clear may still wait on a stalled server, and a write's script
 * that timed out on that server may run first and put an older value back for the clear
 * to delete. A run counts itself in before it takes anything, and out when it ends;
 * {@link #reconciled()} reads the ledger first and the count second, so it never misses
 * a run that took the ledger's last record.</li>
 * </ul>
 */
final class Reconciler {

	private final LocalTier local;

	private final RemoteTier remote;

	private final String keyPrefix;

	private final CacheWriter writer;

	private final OutageLedger ledger;

	/** Runs under way: each may hold records it took off the ledger. */
	private final AtomicInteger running = new AtomicInteger();

	Reconciler(CacheTiers tiers, CacheWriter writer, OutageLedger ledger) {
		this.local = tiers.local();
		this.remote = tiers.remote();
		this.keyPrefix = tiers.keyPrefix();
		this.writer = writer;
		this.ledger = ledger;
	}

	/**
	 * Redis is back: delete what was written only locally during the outage, and announce,
	 * and drop this instance's own copies of it too. The announcement reaches only the
	 * other instances, and this one may have copied the key from Redis after its write
	 * failed and before this ran, when Redis still held the value the write should have
	 * replaced (an evict or clear that never reached Redis leaves the old entry there).
	 * Dropping after the delete wins over copies in flight: they took their token before.
	 */
	void recover() {
		if (this.remote == null) {
			return;
		}
		this.running.incrementAndGet();
		try {
			reconcile();
		}
		finally {
			this.running.decrementAndGet();
		}
	}

	private void reconcile() {
		if (this.ledger.takeEverything()) {
			try {
				this.remote.deleteMatching(CacheTiers.globEscape(this.keyPrefix) + "*", false);
				this.writer.publishAndWait(Invalidation.Kind.CLEAR, List.of());
				if (this.local != null) {
					this.local.clear();
				}
			}
			catch (RuntimeException ex) {
				this.ledger.recordEverything();
			}
			return;
		}
		for (Map.Entry<String, Long> pattern : this.ledger.patterns().entrySet()) {
			try {
				this.remote.deleteMatching(
						CacheTiers.globEscape(this.keyPrefix) + CacheTiers.globOf(pattern.getKey()), false);
				this.writer.publishAndWait(Invalidation.Kind.PATTERN, List.of(pattern.getKey()));
				if (this.local != null) {
					Pattern regex = CacheTiers.regexOf(pattern.getKey());
					this.local.invalidateIf((id) -> regex.matcher(id).matches());
				}
				this.ledger.settledPattern(pattern.getKey(), pattern.getValue());
			}
			catch (RuntimeException ex) {
				return;
			}
		}
		for (Map.Entry<String, Long> key : this.ledger.keys().entrySet()) {
			try {
				this.writer.deleteAndAnnounce(key.getKey());
				if (this.local != null) {
					this.local.invalidate(key.getKey());
				}
				this.ledger.settled(key.getKey(), key.getValue());
			}
			catch (RuntimeException ex) {
				return;
			}
		}
	}

	/**
	 * Return whether nothing written only locally waits to be reconciled with Redis: nothing
	 * recorded, and no run under way.
	 */
	boolean reconciled() {
		// The ledger first: a run counts itself in before it takes a record off it.
		boolean recorded = !this.ledger.isEmpty();
		return !recorded && this.running.get() == 0;
	}

}
