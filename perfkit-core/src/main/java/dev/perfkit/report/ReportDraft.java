package dev.perfkit.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The report being built, as {@link ReportContributor}s see it: they add details to a
 * section or to one of its entries, recommendations and degradation reasons. An entry
 * named here that no meter mentions (a tier and plan without traffic yet, say) still
 * appears in the report, with zero figures and the details.
 * <p>
 * Values must be serializable to JSON (strings, numbers, booleans, lists, maps, records).
 * A draft is used by one thread at a time: contributors run one after another.
 */
public final class ReportDraft {

	private final Map<ReportSection, Map<String, Object>> sectionDetails = new EnumMap<>(ReportSection.class);

	private final Map<ReportSection, Map<String, Map<String, Object>>> entryDetails = new EnumMap<>(
			ReportSection.class);

	private final List<Recommendation> recommendations = new ArrayList<>();

	private final List<String> degradations = new ArrayList<>();

	ReportDraft() {
		for (ReportSection section : ReportSection.values()) {
			this.sectionDetails.put(section, new LinkedHashMap<>());
			this.entryDetails.put(section, new LinkedHashMap<>());
		}
	}

	/**
	 * Add a detail to a whole section, such as the list of N+1 suspects.
	 * @param section the section
	 * @param key the detail's name
	 * @param value its value
	 */
	public void sectionDetail(ReportSection section, String key, Object value) {
		this.sectionDetails.get(section).put(Objects.requireNonNull(key), value);
	}

	/**
	 * Add a detail to one cache, such as its TTL or invalidation lag.
	 * @param cache the cache name
	 * @param key the detail's name
	 * @param value its value
	 */
	public void cacheDetail(String cache, String key, Object value) {
		entry(ReportSection.CACHE, cache).put(Objects.requireNonNull(key), value);
	}

	/**
	 * Add a detail to one tier and plan, such as its effective limit.
	 * @param tier the rate-limit tier
	 * @param plan the plan
	 * @param key the detail's name
	 * @param value its value
	 */
	public void rateLimitDetail(String tier, String plan, String key, Object value) {
		entry(ReportSection.RATE_LIMIT, limitKey(tier, plan)).put(Objects.requireNonNull(key), value);
	}

	/**
	 * Add a detail to one query shape, such as its full normalized SQL.
	 * @param datasource the data source
	 * @param fingerprint the fingerprint id as in the {@code fingerprint} tag
	 * @param key the detail's name
	 * @param value its value
	 */
	public void queryDetail(String datasource, String fingerprint, String key, Object value) {
		entry(ReportSection.QUERIES, queryKey(datasource, fingerprint)).put(Objects.requireNonNull(key), value);
	}

	/**
	 * Add a detail to one pool, such as leak stacks or a sizing hint.
	 * @param pool the pool name
	 * @param key the detail's name
	 * @param value its value
	 */
	public void poolDetail(String pool, String key, Object value) {
		entry(ReportSection.POOL, pool).put(Objects.requireNonNull(key), value);
	}

	/**
	 * Add a recommendation.
	 * @param section the section it belongs to
	 * @param subject what it is about
	 * @param message the advice, naming the subject and the evidence
	 * @param evidence the figures behind it
	 */
	public void recommend(ReportSection section, String subject, String message, Map<String, Object> evidence) {
		this.recommendations.add(new Recommendation(section.key(), subject, message, evidence));
	}

	/**
	 * Report that the application runs degraded.
	 * @param reason one sentence naming what and why
	 */
	public void degrade(String reason) {
		this.degradations.add(Objects.requireNonNull(reason));
	}

	Map<String, Object> sectionDetails(ReportSection section) {
		return this.sectionDetails.get(section);
	}

	Map<String, Map<String, Object>> entries(ReportSection section) {
		return this.entryDetails.get(section);
	}

	Map<String, Object> entryDetails(ReportSection section, String key) {
		return this.entryDetails.get(section).getOrDefault(key, Map.of());
	}

	List<Recommendation> recommendations() {
		return this.recommendations;
	}

	List<String> degradations() {
		return this.degradations;
	}

	private Map<String, Object> entry(ReportSection section, String key) {
		return this.entryDetails.get(section).computeIfAbsent(Objects.requireNonNull(key), (k) -> new LinkedHashMap<>());
	}

	static String limitKey(String tier, String plan) {
		return tier + "/" + plan;
	}

	static String queryKey(String datasource, String fingerprint) {
		return datasource + "/" + fingerprint;
	}

	static Map<String, Object> freeze(Map<String, Object> details) {
		Map<String, Object> copy = new LinkedHashMap<>();
		details.forEach((key, value) -> {
			if (value != null) {
				copy.put(key, value);
			}
		});
		return Collections.unmodifiableMap(copy);
	}

}
