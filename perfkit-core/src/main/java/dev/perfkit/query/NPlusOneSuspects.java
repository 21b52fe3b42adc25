package dev.perfkit.query;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The N+1 suspects of all data sources: one WARN per entry point and fingerprint, and a
 * bounded table for the actuator view.
 */
final class NPlusOneSuspects {

	private static final Logger logger = LoggerFactory.getLogger("dev.perfkit.query.n-plus-one");

	/**
	 * Bound on distinct suspects kept; later ones are still counted by the
	 * {@code perfkit.query.n-plus-one} counter, but neither kept nor logged.
	 */
	static final int MAX_SUSPECTS = 200;

	private final ConcurrentHashMap<String, NPlusOneSuspect> suspects = new ConcurrentHashMap<>();

	private final Clock clock;

	NPlusOneSuspects(Clock clock) {
		this.clock = clock;
	}

	void report(String dataSource, String entryPoint, QueryScope.Tally tally) {
		Fingerprint fingerprint = tally.fingerprint;
		String key = dataSource + '\u0000' + entryPoint + '\u0000' + fingerprint.id();
		Instant now = this.clock.instant();
		NPlusOneSuspect previous = this.suspects.get(key);
		if (previous == null && this.suspects.size() >= MAX_SUSPECTS) {
			return;
		}
		NPlusOneSuspect updated = this.suspects.merge(key,
				new NPlusOneSuspect(dataSource, entryPoint, tally.caller, fingerprint.id(), fingerprint.sql(),
						tally.executions, 1, now),
				(old, fresh) -> new NPlusOneSuspect(dataSource, entryPoint, fresh.caller(), fingerprint.id(),
						fingerprint.sql(), fresh.lastCount(), old.occurrences() + 1, now));
		if (updated.occurrences() == 1) {
			logger.warn("N+1 suspected in {} on data source '{}': {} executions of [{}] (fingerprint={}) from {}",
					entryPoint, dataSource, tally.executions, fingerprint.sql(), fingerprint.id(), tally.caller);
		}
	}

	List<NPlusOneSuspect> list() {
		return this.suspects.values()
			.stream()
			.sorted(Comparator.comparing(NPlusOneSuspect::lastSeen).reversed())
			.toList();
	}

	void clear() {
		this.suspects.clear();
	}

}
