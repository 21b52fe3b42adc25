package dev.perfkit.query;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.ttddyy.dsproxy.QueryInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SlowQueryLogTests {

	private static final long SECOND = 1_000_000_000L;

	/**
	 * Where the test clock starts: {@code System.nanoTime()} may be any long and may wrap,
	 * so the clock starts just short of {@code Long.MAX_VALUE} and passes it.
	 */
	private static final long START = Long.MAX_VALUE - 1_200_000_000L;

	private static final String SQL = "select * from orders where customer_id = 42";

	private static final Fingerprint FINGERPRINT = Fingerprint.of(SQL, SqlDialect.POSTGRESQL);

	private static final Pattern MISSED = Pattern
		.compile(" \\((\\d+) more slow statements? not logged in the last ([0-9.]+) s; see the query statistics\\)$");

	private final AtomicLong clock = new AtomicLong(START);

	private final ExecutorService executor = Executors.newFixedThreadPool(16);

	@AfterEach
	void stopThreads() {
		this.executor.shutdownNow();
	}

	@Test
	void placeholdersAreMappedToTheColumnsTheyCompareOrInsert() {
		assertThat(SlowQueryLog.placeholderColumns("select * from users u where u.name = ? and password=?", SqlDialect.POSTGRESQL))
			.containsExactly("name", "password");
		assertThat(SlowQueryLog.placeholderColumns("insert into users (name, \"Token\") values (?, ?)", SqlDialect.POSTGRESQL))
			.containsExactly("name", "token");
		assertThat(SlowQueryLog.placeholderColumns("select ? from t", SqlDialect.POSTGRESQL)).containsExactly((String) null);
	}

	@Test
	void sixteenThreadsFloodingOneSecondGetTheBoundAndEveryStatementHeldBackIsReportedExactlyOnce() throws Exception {
		SlowQueryLog log = log(10);
		int threads = 16;
		int perThread = 50;
		// Many windows: each one's first lines are where admissions race.
		int windows = 200;
		AtomicLong heldBack = new AtomicLong();
		List<String> lines;
		try (LogCapture capture = new LogCapture("dev.perfkit.query.slow")) {
			int before = 0;
			for (int window = 0; window < windows; window++) {
				// Somewhere inside the window: its start, 0.3 s into it, 0.6 s into it.
				this.clock.set(START + window * SECOND + (window % 3) * 300_000_000L);
				runTogether(threads, () -> {
					for (int i = 0; i < perThread; i++) {
						if (!write(log)) {
							heldBack.incrementAndGet();
						}
					}
				});
				assertThat(capture.lines().size() - before).as("lines written in window %d", window).isEqualTo(10);
				before = capture.lines().size();
			}
			lines = capture.lines();
		}
		long statements = (long) threads * perThread * windows;
		assertThat(heldBack.get()).isEqualTo(statements - lines.size());
		assertThat(reported(lines) + log.unreported()).as("held back = reported in lines + not yet reported")
			.isEqualTo(heldBack.get());
	}

	@Test
	void whileTheClockTurnsUnderSixteenThreadsNoStatementIsLostOrCountedTwice() throws Exception {
		SlowQueryLog log = log(5);
		int threads = 16;
		int perThread = 2_000;
		int turns = 20;
		AtomicLong heldBack = new AtomicLong();
		List<String> lines;
		try (LogCapture capture = new LogCapture("dev.perfkit.query.slow")) {
			CyclicBarrier start = new CyclicBarrier(threads + 1);
			List<Future<?>> writers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				writers.add(this.executor.submit(() -> {
					start.await();
					for (int i = 0; i < perThread; i++) {
						if (!write(log)) {
							heldBack.incrementAndGet();
						}
					}
					return null;
				}));
			}
			start.await();
			// Half a second a step: the clock passes through turns / 2 + 1 windows.
			for (int turn = 1; turn <= turns; turn++) {
				this.clock.addAndGet(SECOND / 2);
			}
			for (Future<?> writer : writers) {
				writer.get(1, TimeUnit.MINUTES);
			}
			lines = capture.lines();
		}
		assertThat(lines.size()).isLessThanOrEqualTo(5 * (turns / 2 + 1));
		assertThat(heldBack.get()).isEqualTo((long) threads * perThread - lines.size());
		assertThat(reported(lines) + log.unreported()).isEqualTo(heldBack.get());
	}

	@Test
	void withNoBoundEveryLineIsWritten() throws Exception {
		SlowQueryLog log = log(0);
		AtomicLong heldBack = new AtomicLong();
		try (LogCapture capture = new LogCapture("dev.perfkit.query.slow")) {
			runTogether(16, () -> {
				for (int i = 0; i < 100; i++) {
					if (!write(log)) {
						heldBack.incrementAndGet();
					}
				}
			});
			assertThat(capture.lines()).hasSize(1_600).noneMatch((line) -> MISSED.matcher(line).find());
		}
		assertThat(heldBack.get()).isZero();
		assertThat(log.unreported()).isZero();
	}

	@Test
	void afterTheWindowTheFirstLineSaysHowManyWereNotWrittenAndSince() {
		SlowQueryLog log = log(3);
		try (LogCapture capture = new LogCapture("dev.perfkit.query.slow")) {
			this.clock.set(START + 100_000_000L);
			List<Boolean> written = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				written.add(write(log));
			}
			assertThat(written).containsExactly(true, true, true, false, false, false, false, false);
			assertThat(capture.lines()).hasSize(3).noneMatch((line) -> MISSED.matcher(line).find());
			assertThat(log.unreported()).isEqualTo(5);

			// Past Long.MAX_VALUE on the nanoTime scale, 1.5 s after the last line.
			this.clock.set(START + 1_600_000_000L);
			assertThat(write(log)).isTrue();
			assertThat(capture.lines()).hasSize(4);
			assertThat(capture.lines().get(3)).startsWith("Slow query took 150.0 ms on data source 'primary'")
				.endsWith("[parameters masked; set perfkit.query.log-parameters=true to show them]"
						+ " (5 more slow statements not logged in the last 1.5 s; see the query statistics)");
			assertThat(log.unreported()).isZero();
			assertThat(write(log)).isTrue();
			assertThat(write(log)).isTrue();
			assertThat(write(log)).isFalse();
			assertThat(capture.lines()).hasSize(6);
			assertThat(capture.lines().subList(4, 6)).noneMatch((line) -> MISSED.matcher(line).find());

			this.clock.addAndGet(SECOND);
			assertThat(write(log)).isTrue();
			assertThat(capture.lines().get(6))
				.endsWith(" (1 more slow statement not logged in the last 1.0 s; see the query statistics)");
		}
	}

	@Test
	void aStatementThatReadTheTimeBeforeTheWindowTurnedCountsInTheNewWindow() {
		SlowQueryLog log = log(2);
		try (LogCapture capture = new LogCapture("dev.perfkit.query.slow")) {
			this.clock.set(START + 1_200_000_000L);
			assertThat(write(log)).isTrue();
			assertThat(write(log)).isTrue();
			// A thread that read the clock at 0.9 s and arrives now: window 1 is full, and
			// window 0 must not be opened again (that would admit a third line in the second).
			this.clock.set(START + 900_000_000L);
			assertThat(write(log)).isFalse();
			this.clock.set(START + 1_300_000_000L);
			assertThat(write(log)).isFalse();
			assertThat(capture.lines()).hasSize(2);
			this.clock.set(START + 2_000_000_000L);
			assertThat(write(log)).isTrue();
			assertThat(capture.lines().get(2))
				.endsWith(" (2 more slow statements not logged in the last 0.8 s; see the query statistics)");
		}
	}

	@Test
	void theCountFollowsTheParametersWhenTheyAreLogged() {
		QuerySettings settings = QuerySettings.defaults()
			.withParameterLogging(Set.of("password"), 64)
			.withSlowLogLinesPerSecond(1);
		SlowQueryLog log = new SlowQueryLog(settings, this.clock::get);
		try (LogCapture capture = new LogCapture("dev.perfkit.query.slow")) {
			write(log);
			write(log);
			this.clock.addAndGet(SECOND);
			write(log);
			assertThat(capture.lines()).hasSize(2);
			assertThat(capture.lines().get(1)).contains(SQL + " parameters=")
				.endsWith(" (1 more slow statement not logged in the last 1.0 s; see the query statistics)");
		}
	}

	@Test
	void aNegativeBoundIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> QuerySettings.defaults().withSlowLogLinesPerSecond(-1))
			.withMessageContaining("slowLogLinesPerSecond");
		assertThat(QuerySettings.defaults().slowLogLinesPerSecond()).isEqualTo(10);
		assertThat(QuerySettings.defaults()
			.withSlowLogLinesPerSecond(0)
			.withSlowThreshold(Duration.ZERO)
			.withFingerprintBounds(5, 1)
			.withParameterLogging(Set.of(), 8)
			.withNPlusOne(0, false)
			.withTimeout(Duration.ZERO)
			.slowLogLinesPerSecond()).as("kept by every copy").isZero();
	}

	private SlowQueryLog log(int linesPerSecond) {
		return new SlowQueryLog(QuerySettings.defaults().withSlowLogLinesPerSecond(linesPerSecond), this.clock::get);
	}

	private static boolean write(SlowQueryLog log) {
		return log.write("primary", 150_000_000L, true, 1, FINGERPRINT, new QueryInfo(SQL), SqlDialect.POSTGRESQL);
	}

	/** Run the same work on that many threads, started together; rethrow what any threw. */
	private void runTogether(int threads, Runnable work) throws Exception {
		CyclicBarrier start = new CyclicBarrier(threads);
		List<Future<Object>> futures = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			Callable<Object> task = () -> {
				start.await();
				work.run();
				return null;
			};
			futures.add(this.executor.submit(task));
		}
		for (Future<Object> future : futures) {
			future.get(1, TimeUnit.MINUTES);
		}
	}

	/** The statements the lines say were not written. */
	private static long reported(List<String> lines) {
		long sum = 0;
		for (String line : lines) {
			Matcher matcher = MISSED.matcher(line);
			if (matcher.find()) {
				sum += Long.parseLong(matcher.group(1));
			}
		}
		return sum;
	}

}
