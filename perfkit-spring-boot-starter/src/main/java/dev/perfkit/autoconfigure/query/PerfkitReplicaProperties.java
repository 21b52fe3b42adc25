package dev.perfkit.autoconfigure.query;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * A read replica that receives {@code @Transactional(readOnly = true)} work.
 */
@ConfigurationProperties("perfkit.datasource.replica")
public class PerfkitReplicaProperties {

	/**
	 * JDBC URL of the read replica; setting it switches replica routing on.
	 */
	private String url;

	/**
	 * Login user of the read replica; defaults to the primary's spring.datasource.username.
	 */
	private String username;

	/**
	 * Login password of the read replica; defaults to the primary's
	 * spring.datasource.password.
	 */
	private String password;

	/**
	 * Name of the DataSource bean whose read-only work goes to the replica.
	 */
	private String primaryBeanName = "dataSource";

	/**
	 * Name of a DataSource bean of the application's to use as the replica instead of a
	 * pool built from perfkit.datasource.replica.url.
	 */
	private String beanName;

	/**
	 * Maximum size of the replica's connection pool.
	 */
	private int maximumPoolSize = 10;

	/**
	 * How long borrowing a replica connection may take before work falls back to the
	 * primary.
	 */
	private Duration connectionTimeout = Duration.ofSeconds(1);

	/**
	 * How long read-only work stays on the primary after the replica failed, before the
	 * replica is tried again.
	 */
	private Duration retryAfter = Duration.ofSeconds(30);

	/**
	 * Whether an outermost read-only transaction that failed because its replica
	 * connection broke is run once more, on the primary (the replica is marked down as for
	 * retry-after). The method is invoked again whole, so it must be safe to call twice.
	 */
	private boolean retryOnPrimary = true;

	public String getUrl() {
		return this.url;
	}

	public void setUrl(String url) {
		this.url = url;
	}

	public String getUsername() {
		return this.username;
	}

	public void setUsername(String username) {
		this.username = username;
	}

	public String getPassword() {
		return this.password;
	}

	public void setPassword(String password) {
		this.password = password;
	}

	public String getPrimaryBeanName() {
		return this.primaryBeanName;
	}

	public void setPrimaryBeanName(String primaryBeanName) {
		this.primaryBeanName = primaryBeanName;
	}

	public String getBeanName() {
		return this.beanName;
	}

	public void setBeanName(String beanName) {
		this.beanName = beanName;
	}

	public int getMaximumPoolSize() {
		return this.maximumPoolSize;
	}

	public void setMaximumPoolSize(int maximumPoolSize) {
		this.maximumPoolSize = maximumPoolSize;
	}

	public Duration getConnectionTimeout() {
		return this.connectionTimeout;
	}

	public void setConnectionTimeout(Duration connectionTimeout) {
		this.connectionTimeout = connectionTimeout;
	}

	public Duration getRetryAfter() {
		return this.retryAfter;
	}

	public void setRetryAfter(Duration retryAfter) {
		this.retryAfter = retryAfter;
	}

	public boolean isRetryOnPrimary() {
		return this.retryOnPrimary;
	}

	public void setRetryOnPrimary(boolean retryOnPrimary) {
		this.retryOnPrimary = retryOnPrimary;
	}

}
