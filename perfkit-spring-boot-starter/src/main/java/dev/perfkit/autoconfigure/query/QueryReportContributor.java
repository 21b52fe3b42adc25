package dev.perfkit.autoconfigure.query;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.perfkit.pool.LeakSuspect;
import dev.perfkit.pool.PoolInsight;
import dev.perfkit.pool.PoolSnapshot;
import dev.perfkit.query.NPlusOneSuspect;
import dev.perfkit.query.QueryInsight;
import dev.perfkit.query.QueryStatisticsSnapshot;
import dev.perfkit.report.ReportContributor;
import dev.perfkit.report.ReportDraft;
import dev.perfkit.report.ReportSection;

/**
 * Adds to the report what the query and pool meters cannot carry, from the engines'
 * snapshots: the full normalized SQL of each fingerprint (keyed by the same short id as
 * the {@code fingerprint} tag of {@code perfkit.query.duration}), the N+1 suspects with
 * their endpoint and caller, and per pool the leak suspects with their stacks and the
 * sizing hints. {@link #reset()} forgets the query statistics and N+1 suspects.
 * <p>
 * SQL is normalized (literals replaced by {@code ?}), so no bind value reaches the report.
 */
final class QueryReportContributor implements ReportContributor {

	private final QueryInsight queries;

	private final PoolInsight pools;

	QueryReportContributor(QueryInsight queries, PoolInsight pools) {
		this.queries = queries;
		this.pools = pools;
	}

	@Override
	public void contribute(ReportDraft draft) {
		QueryStatisticsSnapshot snapshot = this.queries.snapshot();
		for (QueryStatisticsSnapshot.Query query : snapshot.queries()) {
			// The overflow bucket records under the "other" tag together with untagged
			// fingerprints: it has no SQL of its own to show.
			if (!query.overflow()) {
				draft.queryDetail(query.dataSource(), query.id(), "sql", query.sql());
			}
		}
		List<Map<String, Object>> suspects = new ArrayList<>();
		for (NPlusOneSuspect suspect : snapshot.nPlusOneSuspects()) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("datasource", suspect.dataSource());
			entry.put("endpoint", suspect.entryPoint());
			entry.put("caller", suspect.caller());
			entry.put("fingerprint", suspect.fingerprintId());
			entry.put("sql", suspect.sql());
			entry.put("lastCount", suspect.lastCount());
			entry.put("occurrences", suspect.occurrences());
			entry.put("lastSeen", suspect.lastSeen().toString());
			suspects.add(entry);
		}
		draft.sectionDetail(ReportSection.QUERIES, "nPlusOneSuspects", suspects);
		for (PoolSnapshot pool : this.pools.snapshots()) {
			List<Map<String, Object>> leaks = new ArrayList<>();
			for (LeakSuspect leak : pool.leakSuspects()) {
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("thread", leak.thread());
				entry.put("heldForMillis", leak.heldFor().toMillis());
				entry.put("detectedAt", leak.detectedAt().toString());
				entry.put("stack", leak.stack());
				leaks.add(entry);
			}
			draft.poolDetail(pool.pool(), "leaks", leaks);
			if (!pool.hints().isEmpty()) {
				draft.poolDetail(pool.pool(), "sizingHint", String.join(" ", pool.hints()));
			}
			draft.poolDetail(pool.pool(), "peakActive", pool.peakActive());
		}
	}

	@Override
	public void reset() {
		this.queries.reset();
	}

	@Override
	public String toString() {
		return "query and pool report contributor";
	}

}
