package dev.perfkit.autoconfigure.query;

import java.time.Duration;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.perfkit.autoconfigure.ConditionalOnPerfkitEnabled;
import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import dev.perfkit.pool.PoolInsight;
import dev.perfkit.pool.ReadOnlyTransactionPointcut;
import dev.perfkit.pool.ReplicaFallbackDataSource;
import dev.perfkit.pool.ReplicaRetryInterceptor;
import dev.perfkit.query.QueryInsight;
import dev.perfkit.query.QuerySettings;
import dev.perfkit.report.ReportContributor;
import io.micrometer.core.instrument.MeterRegistry;
import net.ttddyy.dsproxy.support.ProxyDataSource;

import org.springframework.aop.Advisor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.transaction.TransactionExecutionListener;
import org.springframework.transaction.annotation.AnnotationTransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionAttributeSource;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Database insight: wraps every {@link DataSource} bean with datasource-proxy for
 * per-fingerprint statistics, the slow-query log and N+1 detection; observes HikariCP
 * pools without borrowing; routes read-only work to a replica when one is configured.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnPerfkitEnabled
@ConditionalOnClass({ DataSource.class, ProxyDataSource.class })
@ConditionalOnBean(DataSource.class)
@ConditionalOnBooleanProperty(name = "perfkit.query.enabled", matchIfMissing = true)
@EnableConfigurationProperties({ PerfkitQueryProperties.class, PerfkitReplicaProperties.class })
public final class PerfkitQueryAutoConfiguration {

	@Bean
	static DataSourceWrappingPostProcessor perfkitDataSourceWrappingPostProcessor(
			ObjectProvider<QueryInsight> queryInsight, ObjectProvider<PoolInsight> poolInsight,
			ObjectProvider<PerfkitQueryProperties> properties, ObjectProvider<ReplicaDataSources> replicas,
			ObjectProvider<MeterRegistry> meterRegistry) {
		return new DataSourceWrappingPostProcessor(queryInsight, poolInsight, properties, replicas, meterRegistry);
	}

	@Bean
	@ConditionalOnMissingBean
	QueryInsight perfkitQueryInsight(PerfkitQueryProperties properties, ObjectProvider<MeterRegistry> meterRegistry) {
		return new QueryInsight(settings(properties), meterRegistry.getIfAvailable());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	PoolInsight perfkitPoolInsight() {
		return new PoolInsight();
	}

	@Bean
	@ConditionalOnMissingBean
	InsightMaintenance perfkitInsightMaintenance(PoolInsight pools, QueryInsight queries,
			PerfkitQueryProperties properties) {
		Duration threshold = properties.getPool().getLeakThreshold();
		if (threshold == null || threshold.isNegative() || threshold.isZero()) {
			throw new InvalidPerfkitPropertyException("perfkit.query.pool.leak-threshold", threshold,
					"A leak threshold must be positive.", "set a duration such as 30s.");
		}
		return new InsightMaintenance(pools, queries, threshold);
	}

	@Bean
	@ConditionalOnMissingBean(QueryScopeTransactionListener.class)
	@ConditionalOnClass(TransactionExecutionListener.class)
	TransactionExecutionListener perfkitQueryScopeTransactionListener() {
		return new QueryScopeTransactionListener();
	}

	static QuerySettings settings(PerfkitQueryProperties properties) {
		Duration slow = properties.getSlowThreshold();
		if (slow == null || slow.isNegative()) {
			throw new InvalidPerfkitPropertyException("perfkit.query.slow-threshold", slow,
					"The slow-query threshold cannot be negative.", "set a duration such as 100ms.");
		}
		int slowLogLines = properties.getSlowLogLinesPerSecond();
		if (slowLogLines < 0) {
			throw new InvalidPerfkitPropertyException("perfkit.query.slow-log-lines-per-second", slowLogLines,
					"The number of slow-query lines per second cannot be negative.",
					"set 0 to write every line, or a positive number such as 10.");
		}
		requireAtLeast("perfkit.query.max-fingerprints", properties.getMaxFingerprints(), 1);
		requireAtLeast("perfkit.query.max-tagged-fingerprints", properties.getMaxTaggedFingerprints(), 0);
		requireAtLeast("perfkit.query.max-parameter-length", properties.getMaxParameterLength(), 1);
		requireAtLeast("perfkit.query.pool.waiting-threshold", properties.getPool().getWaitingThreshold(), 1);
		int threshold = properties.getNPlusOne().getThreshold();
		if (threshold < 0 || threshold == 1) {
			throw new InvalidPerfkitPropertyException("perfkit.query.n-plus-one.threshold", threshold,
					"One execution cannot be an N+1 pattern.", "set 0 to switch detection off, or 2 or more, such as 5.");
		}
		Duration timeout = properties.getTimeout();
		if (timeout != null && timeout.isNegative()) {
			throw new InvalidPerfkitPropertyException("perfkit.query.timeout", timeout,
					"A statement timeout cannot be negative.", "leave it unset for none, or set a duration such as 30s.");
		}
		double saturation = properties.getPool().getSaturationThreshold();
		if (saturation <= 0 || saturation > 1) {
			throw new InvalidPerfkitPropertyException("perfkit.query.pool.saturation-threshold", saturation,
					"The saturation threshold is a share of the pool.", "set a number above 0 and at most 1, such as 0.9.");
		}
		PerfkitQueryProperties.Explain explain = properties.getExplain();
		requirePositive("perfkit.query.explain.interval", explain.getInterval());
		requirePositive("perfkit.query.explain.timeout", explain.getTimeout());
		return new QuerySettings(slow, properties.getMaxFingerprints(), properties.getMaxTaggedFingerprints(),
				properties.isLogParameters(), properties.getRedactedParameters(), properties.getMaxParameterLength(),
				threshold, properties.getNPlusOne().isStrict(), (timeout != null) ? timeout : Duration.ZERO,
				slowLogLines);
	}

	private static void requirePositive(String property, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new InvalidPerfkitPropertyException(property, value, "The duration must be positive.",
					"set a positive duration such as 2s.");
		}
	}

	private static void requireAtLeast(String property, int value, int minimum) {
		if (value < minimum) {
			throw new InvalidPerfkitPropertyException(property, value, "The value must be at least " + minimum + ".",
					"set a whole number of " + minimum + " or more.");
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "com.zaxxer.hikari.HikariDataSource")
	static class ReplicaRoutingConfiguration {

		@Bean
		@Conditional(OnReplicaCondition.class)
		ReplicaDataSources perfkitReplicaDataSources(PerfkitReplicaProperties properties, Environment environment,
				BeanFactory beanFactory, PoolInsight pools, ObjectProvider<MeterRegistry> meterRegistry) {
			return new ReplicaDataSources(properties, environment, beanFactory, pools, meterRegistry);
		}

		/**
		 * Runs an outermost read-only transaction once more on the primary when its replica
		 * connection broke ({@link ReplicaRetryInterceptor}). Ordered just outside Spring's
		 * transaction advisor (whose default order is the lowest precedence); infrastructure,
		 * so that the auto-proxy creator of {@code @EnableTransactionManagement} applies it.
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = { "org.springframework.aop.Advisor",
				"org.springframework.transaction.interceptor.TransactionAttributeSource" })
		@Conditional(OnReplicaCondition.class)
		@ConditionalOnBooleanProperty(name = "perfkit.datasource.replica.retry-on-primary", matchIfMissing = true)
		static class ReplicaRetryConfiguration {

			/** Order of the retry advisor: just outside Spring's transaction advisor's default. */
			static final int ORDER = Ordered.LOWEST_PRECEDENCE - 1;

			@Bean
			@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
			@ConditionalOnMissingBean(name = "perfkitReplicaRetryAdvisor")
			static Advisor perfkitReplicaRetryAdvisor(ObjectProvider<ReplicaDataSources> replicas,
					ObjectProvider<TransactionAttributeSource> transactionAttributeSource,
					ObjectProvider<MeterRegistry> meterRegistry) {
				// The application's (@EnableTransactionManagement's), else one like it: non-public
				// methods included.
				TransactionAttributeSource attributes = transactionAttributeSource
					.getIfUnique(() -> new AnnotationTransactionAttributeSource(false));
				Supplier<ReplicaFallbackDataSource> fallback = SingletonSupplier.of(() -> {
					ReplicaDataSources sources = replicas.getIfAvailable();
					return (sources != null) ? sources.fallback() : null;
				});
				ReplicaRetryInterceptor interceptor = new ReplicaRetryInterceptor(fallback, attributes,
						meterRegistry::getIfAvailable);
				DefaultPointcutAdvisor advisor = new DefaultPointcutAdvisor(new ReadOnlyTransactionPointcut(attributes),
						interceptor);
				advisor.setOrder(ORDER);
				return advisor;
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass(WebMvcConfigurer.class)
	static class WebScopeConfiguration {

		@Bean
		WebMvcConfigurer perfkitQueryScopeWebMvcConfigurer() {
			return new WebMvcConfigurer() {

				@Override
				public void addInterceptors(InterceptorRegistry registry) {
					registry.addInterceptor(new QueryScopeHandlerInterceptor());
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.springframework.boot.health.contributor.HealthIndicator",
			"org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator" })
	static class PoolHealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "perfkitPoolHealthIndicator")
		@ConditionalOnEnabledHealthIndicator("perfkitpool")
		PoolHealthIndicator perfkitPoolHealthIndicator(PoolInsight pools, PerfkitQueryProperties properties) {
			return new PoolHealthIndicator(pools, properties.getPool());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ReportContributor.class)
	static class ReportConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "perfkitQueryReportContributor")
		ReportContributor perfkitQueryReportContributor(QueryInsight queries, PoolInsight pools) {
			return new QueryReportContributor(queries, pools);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer",
			"org.hibernate.resource.jdbc.spi.StatementInspector" })
	static class HibernateConfiguration {

		@Bean
		org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer perfkitHibernatePropertiesCustomizer(
				PerfkitQueryProperties properties, Environment environment) {
			PerfkitQueryProperties.Hibernate hibernate = properties.getHibernate();
			String application = environment.getProperty("spring.application.name", "application");
			return (hibernateProperties) -> {
				if (hibernate.isLogSlowQuery()) {
					hibernateProperties.put("hibernate.log_slow_query", properties.getSlowThreshold().toMillis());
				}
				if (hibernate.isStatistics()) {
					hibernateProperties.put("hibernate.generate_statistics", true);
				}
				if (hibernate.isCommentTag()) {
					hibernateProperties.put("hibernate.session_factory.statement_inspector",
							new StaticCommentTag(application));
				}
			};
		}

	}

}
