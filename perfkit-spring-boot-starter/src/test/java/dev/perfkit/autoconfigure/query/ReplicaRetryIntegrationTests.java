package dev.perfkit.autoconfigure.query;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.perfkit.pool.ReplicaRetryInterceptor;
import dev.perfkit.test.PostgresDatabase;
import dev.perfkit.test.TcpRelay;
import dev.perfkit.test.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.aop.Advisor;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.interceptor.TransactionAttributeSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A read-only transaction whose replica goes away while it runs, in an application
 * context built by Boot's and perfkit's auto-configuration as an application's would be.
 * The "replica" is a {@link TcpRelay} in front of the primary, closed (breaking its live
 * connections) while the transaction waits inside the method.
 */
class ReplicaRetryIntegrationTests {

	private static final String REPLICA = "perfkit-replica";

	private static final String PRIMARY = "perfkit-primary";

	private final PostgresDatabase database = TestPostgres.get();

	private final ExecutorService caller = Executors.newSingleThreadExecutor();

	private TcpRelay relay;

	private ApplicationContextRunner contextRunner;

	@BeforeEach
	void startRelay() {
		URI primary = URI.create(this.database.jdbcUrl().substring("jdbc:".length()));
		this.relay = TcpRelay.to(primary.getHost(), primary.getPort());
		String replicaUrl = "jdbc:postgresql://127.0.0.1:" + this.relay.port() + primary.getPath() + "?ApplicationName="
				+ REPLICA;
		this.contextRunner = PostgresContextRunners
			.of(this.database, "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
					"org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration",
					"org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizationAutoConfiguration",
					"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
					"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
					"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration")
			.withUserConfiguration(ReadsConfiguration.class)
			.withPropertyValues("spring.datasource.hikari.maximum-pool-size=4",
					"spring.datasource.hikari.data-source-properties.ApplicationName=" + PRIMARY,
					"perfkit.datasource.replica.url=" + replicaUrl, "perfkit.datasource.replica.maximum-pool-size=2");
	}

	@AfterEach
	void stop() {
		this.relay.close();
		this.caller.shutdownNow();
	}

	@Test
	void aReadOnlyTransactionWhoseReplicaGoesAwayIsRunAgainOnThePrimary() {
		this.contextRunner.run((context) -> {
			Reads reads = context.getBean(Reads.class);
			Probe probe = context.getBean(Probe.class);
			CompletableFuture<String> result = CompletableFuture.supplyAsync(reads::applicationName, this.caller);
			breakReplicaWhileInside(probe);
			assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(PRIMARY);
			assertThat(probe.seen).containsExactly(REPLICA, PRIMARY);
			assertThat(probe.invocations).hasValue(2);
			// Marked down: the next read-only work goes to the primary without trying the replica.
			assertThat(context.getBean(ReplicaDataSources.class).fallback().replicaDown()).isTrue();
			assertThat(reads.applicationName()).isEqualTo(PRIMARY);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("perfkit.replica.retries").tag("outcome", "success").counter().count()).isEqualTo(1);
			assertThat(registry.find("perfkit.replica.retries").tag("outcome", "failure").counter()).isNull();
		});
	}

	@Test
	void withRetryOnPrimaryOffTheFailureReachesTheCaller() {
		this.contextRunner.withPropertyValues("perfkit.datasource.replica.retry-on-primary=false").run((context) -> {
			assertThat(context).doesNotHaveBean("perfkitReplicaRetryAdvisor");
			Reads reads = context.getBean(Reads.class);
			Probe probe = context.getBean(Probe.class);
			CompletableFuture<String> result = CompletableFuture.supplyAsync(reads::applicationName, this.caller);
			breakReplicaWhileInside(probe);
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(30, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(DataAccessResourceFailureException.class);
			assertThat(probe.seen).containsExactly(REPLICA);
			assertThat(probe.invocations).hasValue(1);
		});
	}

	@Test
	void aReadWriteTransactionAndTheReadOnlyOneNestedInItAreNotRetried() {
		this.contextRunner.run((context) -> {
			Writes writes = context.getBean(Writes.class);
			Probe probe = context.getBean(Probe.class);
			CompletableFuture<String> result = CompletableFuture.supplyAsync(writes::aroundANewReadOnlyTransaction,
					this.caller);
			breakReplicaWhileInside(probe);
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(30, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(DataAccessResourceFailureException.class);
			assertThat(probe.seen).containsExactly(REPLICA);
			assertThat(probe.invocations).hasValue(1);
			assertThat(probe.outerInvocations).hasValue(1);
			assertThat(context.getBean(MeterRegistry.class).find("perfkit.replica.retries").counters()).isEmpty();
		});
	}

	@Test
	void aReadOnlyTransactionFailingForAnotherReasonIsNotRetried() {
		this.contextRunner.run((context) -> {
			Reads reads = context.getBean(Reads.class);
			Probe probe = context.getBean(Probe.class);
			probe.entered.countDown(); // no breakpoint in this test
			assertThatExceptionOfType(DataAccessException.class).isThrownBy(reads::divideByZero)
				.satisfies((ex) -> assertThat(ReplicaRetryInterceptor.isConnectionFailure(ex)).isFalse());
			assertThat(probe.seen).containsExactly(REPLICA);
			assertThat(probe.invocations).hasValue(1);
			assertThat(context.getBean(ReplicaDataSources.class).fallback().replicaDown()).isFalse();
			assertThat(reads.applicationName()).isEqualTo(REPLICA);
			assertThat(context.getBean(MeterRegistry.class).find("perfkit.replica.retries").counters()).isEmpty();
		});
	}

	@ParameterizedTest
	@ValueSource(classes = { Advisor.class, TransactionAttributeSource.class })
	void theRetryBacksOffWithoutSpringAopOrSpringTx(Class<?> absent) {
		PostgresContextRunners.of(this.database)
			.withClassLoader(new FilteredClassLoader(absent))
			.withPropertyValues("perfkit.datasource.replica.url=" + this.database.jdbcUrl())
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean("perfkitReplicaRetryAdvisor");
				assertThat(context.getBean(DataSource.class)).isInstanceOf(LazyConnectionDataSourceProxy.class);
			});
	}

	/** Waits for the first invocation to be inside its transaction, breaks the replica, lets it go on. */
	private void breakReplicaWhileInside(Probe probe) throws InterruptedException {
		assertThat(probe.entered.await(10, TimeUnit.SECONDS)).isTrue();
		this.relay.close();
		probe.released.countDown();
	}

	@Configuration(proxyBeanMethods = false)
	static class ReadsConfiguration {

		@Bean
		Probe probe() {
			return new Probe();
		}

		@Bean
		Reads reads(DataSource dataSource, Probe probe) {
			return new Reads(new JdbcTemplate(dataSource), probe);
		}

		@Bean
		Writes writes(Reads reads, Probe probe) {
			return new Writes(reads, probe);
		}

	}

	/** What the transactional methods saw; a bean of its own as the proxied beans' fields are not readable. */
	static class Probe {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch released = new CountDownLatch(1);

		final AtomicInteger invocations = new AtomicInteger();

		final AtomicInteger outerInvocations = new AtomicInteger();

		final List<String> seen = new CopyOnWriteArrayList<>();

		/** Counts an invocation; the first waits for the test to break the replica. */
		void breakpoint() {
			if (this.entered.getCount() == 0) {
				return;
			}
			this.entered.countDown();
			try {
				if (!this.released.await(10, TimeUnit.SECONDS)) {
					throw new IllegalStateException("The test never released the transaction");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

	}

	static class Reads {

		private final JdbcTemplate jdbc;

		private final Probe probe;

		Reads(JdbcTemplate jdbc, Probe probe) {
			this.jdbc = jdbc;
			this.probe = probe;
		}

		/**
		 * Reads the connection's application name, then (the first time only) waits for
		 * the test to break the replica before the transaction commits.
		 */
		@Transactional(readOnly = true)
		public String applicationName() {
			this.probe.invocations.incrementAndGet();
			String name = this.jdbc.queryForObject("SELECT current_setting('application_name')", String.class);
			this.probe.seen.add(name);
			this.probe.breakpoint();
			return name;
		}

		/** The same, in a new read-only transaction of its own. */
		@Transactional(readOnly = true, propagation = Propagation.REQUIRES_NEW)
		public String applicationNameInANewTransaction() {
			return applicationName();
		}

		@Transactional(readOnly = true)
		public int divideByZero() {
			this.probe.invocations.incrementAndGet();
			this.probe.seen.add(this.jdbc.queryForObject("SELECT current_setting('application_name')", String.class));
			return this.jdbc.queryForObject("SELECT 1 / 0", Integer.class);
		}

	}

	static class Writes {

		private final Reads reads;

		private final Probe probe;

		Writes(Reads reads, Probe probe) {
			this.reads = reads;
			this.probe = probe;
		}

		@Transactional
		public String aroundANewReadOnlyTransaction() {
			this.probe.outerInvocations.incrementAndGet();
			return this.reads.applicationNameInANewTransaction();
		}

	}

}
