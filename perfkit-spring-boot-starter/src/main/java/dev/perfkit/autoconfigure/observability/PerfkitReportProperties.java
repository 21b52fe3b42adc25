package dev.perfkit.autoconfigure.observability;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Thresholds of the performance report at {@code /actuator/perfkit}: how many queries it
 * lists and how much evidence a recommendation needs.
 */
@ConfigurationProperties("perfkit.report")
public class PerfkitReportProperties {

	/**
	 * How many queries each top list of the report holds (by total time, by p95, by count).
	 */
	private int topQueries = 10;

	/**
	 * Gets a cache needs before its hit rate is judged by the score and the recommendations.
	 */
	private long minCacheGets = 100;

	/**
	 * A cache hit rate below this fraction (0 to 1) gives a recommendation.
	 */
	private double lowHitRate = 0.5;

	/**
	 * Requests a rate-limit tier and plan needs before its rejection rate is judged.
	 */
	private long minRateLimitRequests = 100;

	/**
	 * A rejection rate above this fraction (0 to 1) gives a recommendation.
	 */
	private double highRejectionRate = 0.2;

	/**
	 * Queries a data source needs before its slow-query and error rates are judged.
	 */
	private long minQueries = 50;

	/**
	 * Pool pressure (saturation gauge, else active over maximum) at or above this fraction
	 * (0 to 1) makes the application degraded.
	 */
	private double poolSaturation = 0.9;

	public int getTopQueries() {
		return this.topQueries;
	}

	public void setTopQueries(int topQueries) {
		this.topQueries = topQueries;
	}

	public long getMinCacheGets() {
		return this.minCacheGets;
	}

	public void setMinCacheGets(long minCacheGets) {
		this.minCacheGets = minCacheGets;
	}

	public double getLowHitRate() {
		return this.lowHitRate;
	}

	public void setLowHitRate(double lowHitRate) {
		this.lowHitRate = lowHitRate;
	}

	public long getMinRateLimitRequests() {
		return this.minRateLimitRequests;
	}

	public void setMinRateLimitRequests(long minRateLimitRequests) {
		this.minRateLimitRequests = minRateLimitRequests;
	}

	public double getHighRejectionRate() {
		return this.highRejectionRate;
	}

	public void setHighRejectionRate(double highRejectionRate) {
		this.highRejectionRate = highRejectionRate;
	}

	public long getMinQueries() {
		return this.minQueries;
	}

	public void setMinQueries(long minQueries) {
		this.minQueries = minQueries;
	}

	public double getPoolSaturation() {
		return this.poolSaturation;
	}

	public void setPoolSaturation(double poolSaturation) {
		this.poolSaturation = poolSaturation;
	}

}
