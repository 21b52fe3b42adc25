package dev.perfkit.report;

/**
 * The capability sections of a {@link PerformanceReport}, by their JSON name.
 */
public enum ReportSection {

	/** The two-tier cache. */
	CACHE("cache"),

	/** Rate limiting. */
	RATE_LIMIT("rateLimit"),

	/** Query statistics. */
	QUERIES("queries"),

	/** Connection pools. */
	POOL("pool");

	private final String key;

	ReportSection(String key) {
		this.key = key;
	}

	/**
	 * The section's name in the JSON report and the endpoint's sub-path.
	 * @return the name, such as {@code rateLimit}
	 */
	public String key() {
		return this.key;
	}

}
