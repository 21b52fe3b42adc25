package dev.perfkit.autoconfigure.query;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.perfkit.test.PostgresDatabase;
import dev.perfkit.test.TcpRelay;
import dev.perfkit.test.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A read-only transaction whose replica goes away while it runs, in an application
 * context built by Boot's and perfkit's auto-configuration as an application's would be.
 * The "replica" is a {@link TcpRelay} in front of the primary, closed (breaking its live
 * connections) while the transaction waits inside the method.
 */
class ReplicaRetryIntegrationTests {

	private static final String REPLICA = "perfkit-replica";

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
					"org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizationAutoConfiguration")
			.withUserConfiguration(ReadsConfiguration.class)
			.withPropertyValues("spring.datasource.hikari.maximum-pool-size=4",
					"spring.datasource.hikari.data-source-properties.ApplicationName=perfkit-primary",
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
			assertThat(probe.entered.await(10, TimeUnit.SECONDS)).isTrue();
			this.relay.close();
			probe.released.countDown();
			assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("perfkit-primary");
			assertThat(probe.seen).containsExactly(REPLICA, "perfkit-primary");
		});
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

	}

	/** What the transactional methods saw; a bean of its own as the proxied beans' fields are not readable. */
	static class Probe {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch released = new CountDownLatch(1);

		final AtomicInteger invocations = new AtomicInteger();

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

	}

}
