package dev.perfkit.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.perfkit.query.QueryInsight;
import dev.perfkit.query.QuerySettings;
import dev.perfkit.query.TestPools;
import dev.perfkit.test.TestDatabase;
import dev.perfkit.test.TestServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pool state, leak suspects and sizing hints of a real HikariCP pool on PostgreSQL and on
 * MariaDB.
 */
@ParameterizedClass
@EnumSource(TestServer.class)
class PoolObserverIntegrationTests {

	@Parameter
	TestServer server;

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private CountingHikariDataSource pool;

	@BeforeEach
	void createPool() {
		TestDatabase database = this.server.database();
		this.pool = TestPools.configure(new CountingHikariDataSource(), database, database.jdbcUrl(), 2);
		this.pool.setConnectionTimeout(30_000);
	}

	@AfterEach
	void closePool() {
		this.pool.close();
	}

	@Test
	void aPoolWithEveryConnectionHeldAndAThreadWaitingIsSaturatedWithoutBorrowing() throws Exception {
		PoolObserver observer = new PoolObserver("primary", this.pool, null, this.registry);
		try (Connection first = this.pool.getConnection(); Connection second = this.pool.getConnection()) {
			CompletableFuture<Void> third = CompletableFuture.runAsync(() -> {
				try (Connection connection = this.pool.getConnection()) {
					// Borrowed once the test lets go of one of its connections.
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			await().atMost(Duration.ofSeconds(10))
				.until(() -> this.pool.getHikariPoolMXBean().getThreadsAwaitingConnection() == 1);
			int borrowsBefore = this.pool.borrows.get();
			PoolSnapshot snapshot = observer.snapshot();
			assertThat(this.pool.borrows.get()).as("getConnection() calls by the observer").isEqualTo(borrowsBefore);
			assertThat(snapshot.active()).isEqualTo(2);
			assertThat(snapshot.waiting()).isEqualTo(1);
			assertThat(snapshot.saturation()).isEqualTo(1.0);
			assertThat(snapshot.saturated(1.0, 1)).isTrue();
			assertThat(snapshot.hints()).singleElement().asString().contains("maximum size of 2");
			assertThat(this.registry.get("perfkit.pool.saturation").tag("pool", "primary").gauge().value())
				.isEqualTo(1.0);
			assertThat(this.pool.borrows.get()).isEqualTo(borrowsBefore);
			first.close();
			third.get();
		}
	}

	@Test
	void anIdlePoolIsNotSaturated() throws SQLException {
		this.pool.getConnection().close();
		PoolSnapshot snapshot = new PoolObserver("primary", this.pool, null, null).snapshot();
		assertThat(snapshot.started()).isTrue();
		assertThat(snapshot.saturated(0.9, 1)).isFalse();
		assertThat(snapshot.active()).isZero();
	}

	@Test
	void aPoolThatHasNotStartedReportsSoWithoutStartingIt() {
		PoolSnapshot snapshot = new PoolObserver("primary", this.pool, null, null).snapshot();
		assertThat(snapshot.started()).isFalse();
		assertThat(this.pool.borrows.get()).isZero();
		assertThat(this.pool.isRunning()).isFalse();
	}

	@Test
	void aConnectionHeldPastTheThresholdIsFlaggedOnceWithTheBorrowersStack() throws SQLException {
		ConnectionTracker tracker = new ConnectionTracker("primary", Duration.ZERO, this.registry);
		DataSource wrapped = new QueryInsight(QuerySettings.defaults(), this.registry).wrap(this.pool, "primary",
				tracker);
		try (Connection connection = wrapped.getConnection()) {
			assertThat(tracker.sweep()).isEqualTo(1);
			assertThat(tracker.sweep()).isZero();
		}
		assertThat(tracker.sweep()).isZero();
		assertThat(this.registry.get("perfkit.pool.leak.suspects").tag("pool", "primary").counter().count())
			.isEqualTo(1);
		assertThat(tracker.leakSuspects()).singleElement().satisfies((suspect) -> {
			assertThat(suspect.thread()).isEqualTo(Thread.currentThread().getName());
			assertThat(suspect.stack()).anyMatch((frame) -> frame.contains("aConnectionHeldPastTheThreshold"));
		});
		PoolSnapshot snapshot = new PoolObserver("primary", this.pool, tracker, null).snapshot();
		assertThat(snapshot.peakActive()).isEqualTo(1);
		assertThat(snapshot.leakSuspects()).hasSize(1);
	}

	@Test
	void aReaderThatSeesALeakCountedAlsoFindsItsSuspect() throws Exception {
		ConnectionTracker tracker = new ConnectionTracker("primary", Duration.ZERO, this.registry);
		DataSource wrapped = new QueryInsight(QuerySettings.defaults(), this.registry).wrap(this.pool, "primary",
				tracker);
		Counter counter = this.registry.get("perfkit.pool.leak.suspects").tag("pool", "primary").counter();
		AtomicInteger torn = new AtomicInteger();
		AtomicBoolean done = new AtomicBoolean();
		CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
			while (!done.get()) {
				long counted = (long) counter.count();
				if (tracker.leakSuspects().size() < Math.min(counted, ConnectionTracker.MAX_SUSPECTS)) {
					torn.incrementAndGet();
				}
			}
		});
		try {
			for (int round = 0; round < 20; round++) {
				try (Connection first = wrapped.getConnection(); Connection second = wrapped.getConnection()) {
					assertThat(tracker.sweep()).isEqualTo(2);
				}
			}
		}
		finally {
			done.set(true);
		}
		reader.get();
		assertThat(counter.count()).isEqualTo(40);
		assertThat(torn).hasValue(0);
	}

	@Test
	void aPoolThatNeverGetsBusyIsAdvisedToShrink() {
		assertThat(PoolObserver.hints(20, 3, 0, Duration.ofMillis(1))).singleElement()
			.asString()
			.contains("At most 3 of 20");
	}

	/** A pool that counts borrows, to prove the observer never borrows. */
	static final class CountingHikariDataSource extends HikariDataSource {

		final AtomicInteger borrows = new AtomicInteger();

		@Override
		public Connection getConnection() throws SQLException {
			this.borrows.incrementAndGet();
			return super.getConnection();
		}

	}

}
