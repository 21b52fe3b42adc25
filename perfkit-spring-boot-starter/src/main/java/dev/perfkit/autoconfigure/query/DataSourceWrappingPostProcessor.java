package dev.perfkit.autoconfigure.query;

import java.util.List;

import java.sql.DriverManager;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.perfkit.pool.ConnectionTracker;
import dev.perfkit.pool.PoolInsight;
import dev.perfkit.pool.PoolObserver;
import dev.perfkit.pool.ReplicaRouting;
import dev.perfkit.query.PlanExplainer;
import dev.perfkit.query.QueryInsight;
import dev.perfkit.query.SqlDialect;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.ttddyy.dsproxy.support.ProxyDataSource;

import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.core.Ordered;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.util.ClassUtils;

/**
 * Wraps every {@code DataSource} bean with datasource-proxy (through
 * {@link QueryInsight#wrap}) once it is initialized, and puts the primary behind replica
 * routing when a replica is configured. The wrappers answer {@code unwrap} and are
 * {@link DelegatingDataSource}s, so Spring Boot's {@code hikaricp.*} and
 * {@code jdbc.connections.*} meters still find the pool.
 */
final class DataSourceWrappingPostProcessor implements BeanPostProcessor, Ordered {

	private static final boolean HIKARI_PRESENT = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource",
			DataSourceWrappingPostProcessor.class.getClassLoader());

	private final ObjectProvider<QueryInsight> queryInsight;

	private final ObjectProvider<PoolInsight> poolInsight;

	private final ObjectProvider<PerfkitQueryProperties> properties;

	private final ObjectProvider<ReplicaDataSources> replicas;

	private final ObjectProvider<MeterRegistry> meterRegistry;

	DataSourceWrappingPostProcessor(ObjectProvider<QueryInsight> queryInsight, ObjectProvider<PoolInsight> poolInsight,
			ObjectProvider<PerfkitQueryProperties> properties, ObjectProvider<ReplicaDataSources> replicas,
			ObjectProvider<MeterRegistry> meterRegistry) {
		this.queryInsight = queryInsight;
		this.poolInsight = poolInsight;
		this.properties = properties;
		this.replicas = replicas;
		this.meterRegistry = meterRegistry;
	}

	@Override
	public int getOrder() {
		// Last, so that other post-processors see the application's own DataSource.
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (!(bean instanceof DataSource dataSource) || bean instanceof ProxyDataSource
				|| ScopedProxyUtils.isScopedTarget(beanName)) {
			return bean;
		}
		PerfkitQueryProperties settings = this.properties.getObject();
		List<String> excluded = settings.getExcludedDataSources();
		ReplicaDataSources replicas = this.replicas.getIfAvailable();
		if (excluded.contains(beanName) || (replicas != null && replicas.isReplicaBean(beanName))) {
			return bean;
		}
		DataSource wrapped = wrap(dataSource, beanName, settings);
		if (replicas != null && replicas.isPrimaryBean(beanName)) {
			DataSource replica = replicas.replica();
			DataSource wrappedReplica = wrap(replica, "replica", settings);
			return ReplicaRouting.route(wrapped, replicas.fallback(wrappedReplica, wrapped));
		}
		return wrapped;
	}

	private DataSource wrap(DataSource dataSource, String name, PerfkitQueryProperties settings) {
		MeterRegistry registry = this.meterRegistry.getIfAvailable();
		ConnectionTracker tracker = null;
		PlanExplainer explainer = null;
		// Told from the pool's URL here, else from the first connection's metadata.
		SqlDialect dialect = settings.getDialect().get(name);
		PoolInsight pools = this.poolInsight.getObject();
		if (HIKARI_PRESENT) {
			HikariDataSource hikari = DataSourceUnwrapper.unwrap(dataSource, HikariDataSource.class);
			if (hikari != null) {
				String pool = poolName(hikari, name);
				tracker = new ConnectionTracker(pool, settings.getPool().getLeakThreshold(),
						(registry != null) ? registry : new SimpleMeterRegistry());
				pools.register(tracker);
				pools.register(new PoolObserver(pool, hikari, tracker, registry));
				if (dialect == null && hikari.getJdbcUrl() != null) {
					dialect = SqlDialect.fromJdbcUrl(hikari.getJdbcUrl());
				}
				explainer = explainer(name, hikari, dialect, settings.getExplain());
				if (explainer != null) {
					pools.own(explainer);
				}
			}
		}
		return this.queryInsight.getObject().wrap(dataSource, name, tracker, explainer, dialect);
	}

	/**
	 * The pool's name, which is the {@code pool} tag of both Boot's {@code hikaricp.*}
	 * meters and perfkit's {@code perfkit.pool.*} ones. An unnamed pool that has not started
	 * yet is named after its bean, so that the two agree and read better than
	 * {@code HikariPool-1}.
	 */
	private static String poolName(HikariDataSource hikari, String beanName) {
		if (hikari.getPoolName() == null && !hikari.isRunning()) {
			try {
				hikari.setPoolName(beanName);
			}
			catch (IllegalStateException ex) {
				// Started meanwhile: its configuration is sealed; keep the name it has.
			}
		}
		return (hikari.getPoolName() != null) ? hikari.getPoolName() : beanName;
	}

	private static PlanExplainer explainer(String name, HikariDataSource hikari, SqlDialect dialect,
			PerfkitQueryProperties.Explain explain) {
		String url = hikari.getJdbcUrl();
		if (!explain.isEnabled() || url == null || !PlanExplainer.supports(dialect)) {
			return null;
		}
		String username = hikari.getUsername();
		String password = hikari.getPassword();
		// A connection of the explainer's own, never one of the pool's.
		return new PlanExplainer(name, dialect, () -> DriverManager.getConnection(url, username, password),
				explain.getInterval(), explain.getTimeout(), explain.getLargeTableRows());
	}

}
