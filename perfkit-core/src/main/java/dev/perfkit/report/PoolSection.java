package dev.perfkit.report;

import java.util.List;
import java.util.Map;

/**
 * The connection-pool section, from Boot's {@code hikaricp.connections.*} meters and
 * perfkit's {@code perfkit.pool.*}.
 *
 * @param pools one entry per pool
 * @param details what the database engine added through a {@link ReportContributor}
 */
public record PoolSection(List<Pool> pools, Map<String, Object> details) {

	/**
	 * Create a section, copying its parts.
	 */
	public PoolSection {
		pools = List.copyOf(pools);
		details = ReportDraft.freeze(details);
	}

	/**
	 * One pool.
	 *
	 * @param name the pool name ({@code pool} tag)
	 * @param active connections in use
	 * @param idle connections idle
	 * @param max the pool's maximum size
	 * @param pending threads waiting for a connection
	 * @param timeouts connection requests that timed out
	 * @param utilization active over max (0..1), null without a maximum
	 * @param saturation perfkit's saturation gauge (0..1), null when not published
	 * @param leakSuspects connections held longer than the leak threshold
	 * @param details what the engine added, such as leak stacks or sizing hints
	 */
	public record Pool(String name, long active, long idle, long max, long pending, long timeouts, Double utilization,
			Double saturation, long leakSuspects, Map<String, Object> details) {

		/**
		 * Create an entry, copying its details.
		 */
		public Pool {
			details = ReportDraft.freeze(details);
		}

		/**
		 * The pressure on this pool: perfkit's saturation gauge when published, else utilization.
		 * @return 0..1, or 0 when neither is known
		 */
		public double pressure() {
			if (this.saturation != null) {
				return this.saturation;
			}
			return (this.utilization != null) ? this.utilization : 0;
		}

	}

}
