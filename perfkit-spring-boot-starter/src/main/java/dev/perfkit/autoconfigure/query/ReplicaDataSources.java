package dev.perfkit.autoconfigure.query;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.perfkit.pool.PoolInsight;
import dev.perfkit.pool.ReplicaFallbackDataSource;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Where the read replica comes from: a pool built from {@code perfkit.datasource.replica.*}
 * (not a bean, so Spring Boot still creates the primary) or the application's own bean
 * named by {@code perfkit.datasource.replica.bean-name}.
 */
final class ReplicaDataSources {

	private final PerfkitReplicaProperties properties;

	private final Environment environment;

	private final BeanFactory beanFactory;

	private final PoolInsight pools;

	private final ObjectProvider<MeterRegistry> meterRegistry;

	private volatile ReplicaFallbackDataSource fallback;

	ReplicaDataSources(PerfkitReplicaProperties properties, Environment environment, BeanFactory beanFactory,
			PoolInsight pools, ObjectProvider<MeterRegistry> meterRegistry) {
		this.properties = properties;
		this.environment = environment;
		this.beanFactory = beanFactory;
		this.pools = pools;
		this.meterRegistry = meterRegistry;
	}

	boolean isPrimaryBean(String beanName) {
		return beanName.equals(this.properties.getPrimaryBeanName());
	}

	boolean isReplicaBean(String beanName) {
		return beanName.equals(this.properties.getBeanName());
	}

	DataSource replica() {
		if (StringUtils.hasText(this.properties.getBeanName())) {
			return this.beanFactory.getBean(this.properties.getBeanName(), DataSource.class);
		}
		HikariDataSource pool = new HikariDataSource();
		pool.setPoolName("replica");
		pool.setJdbcUrl(this.properties.getUrl());
		pool.setUsername(orElse(this.properties.getUsername(), "spring.datasource.username"));
		pool.setPassword(orElse(this.properties.getPassword(), "spring.datasource.password"));
		pool.setMaximumPoolSize(this.properties.getMaximumPoolSize());
		pool.setConnectionTimeout(this.properties.getConnectionTimeout().toMillis());
		pool.setReadOnly(true);
		// Start lazily, and never fail startup because the replica is down.
		pool.setInitializationFailTimeout(-1);
		// Boot's hikaricp.* meters cover only the pools it made; give the replica the same.
		MeterRegistry registry = this.meterRegistry.getIfAvailable();
		if (registry != null) {
			pool.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
		}
		this.pools.own(pool);
		return pool;
	}

	ReplicaFallbackDataSource fallback(DataSource replica, DataSource primary) {
		ReplicaFallbackDataSource fallback = new ReplicaFallbackDataSource(replica, primary,
				this.properties.getRetryAfter());
		this.fallback = fallback;
		return fallback;
	}

	/**
	 * The replica's fallback data source once the primary has been put behind replica
	 * routing, else {@code null}.
	 */
	ReplicaFallbackDataSource fallback() {
		return this.fallback;
	}

	private String orElse(String value, String property) {
		return (value != null) ? value : this.environment.getProperty(property);
	}

}
