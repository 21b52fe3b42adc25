package dev.perfkit.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admission count of the load run's checks: it finds admissions that certainly fell in
 * one window, and never counts more than truly fell in one (else the run would report
 * over-admissions that never happened).
 */
class AdmissionsTests {

	@Test
	void countsAdmissionsThatCertainlyShareAWindow() {
		List<Admissions.Span> spans = List.of(span(0, 10), span(1_000, 1_020), span(20_000, 20_500),
				span(59_000, 59_900), span(59_950, 59_999), span(61_000, 61_010));
		Admissions.Window busiest = Admissions.busiest(spans, 60_000, Long.MIN_VALUE, Long.MAX_VALUE);
		assertThat(busiest.count()).isEqualTo(5);
		assertThat(busiest.start()).isEqualTo(0);
	}

	@Test
	void aResponseReceivedAfterTheWindowIsNotCertainlyInIt() {
		List<Admissions.Span> spans = List.of(span(0, 10), span(59_000, 60_001));
		assertThat(Admissions.busiest(spans, 60_000, Long.MIN_VALUE, Long.MAX_VALUE).count()).isEqualTo(1);
	}

	@Test
	void onlyWindowsStartingInTheRangeCount() {
		List<Admissions.Span> spans = List.of(span(0, 10), span(100, 110), span(200, 210));
		assertThat(Admissions.busiest(spans, 60_000, 50, 150).count()).isEqualTo(2);
	}

	@Test
	void neverCountsMoreThanTheDecisionsOfOneWindow() {
		long seed = System.nanoTime();
		Random random = new Random(seed);
		for (int trial = 0; trial < 2_000; trial++) {
			int n = 1 + random.nextInt(30);
			long window = 1 + random.nextInt(1_000);
			long[] decisions = new long[n];
			List<Admissions.Span> spans = new ArrayList<>();
			for (int i = 0; i < n; i++) {
				decisions[i] = random.nextInt(5_000);
				spans.add(span(decisions[i] - random.nextInt(200), decisions[i] + random.nextInt(200)));
			}
			int counted = Admissions.busiest(spans, window, Long.MIN_VALUE, Long.MAX_VALUE).count();
			assertThat(counted).as("seed %d trial %d", seed, trial).isLessThanOrEqualTo(mostInOneWindow(decisions, window));
		}
	}

	@Test
	void findsEveryOverAdmissionWhenResponsesAreInstant() {
		long seed = System.nanoTime();
		Random random = new Random(seed);
		for (int trial = 0; trial < 2_000; trial++) {
			int n = 1 + random.nextInt(30);
			long window = 1 + random.nextInt(1_000);
			long[] decisions = new long[n];
			List<Admissions.Span> spans = new ArrayList<>();
			for (int i = 0; i < n; i++) {
				decisions[i] = random.nextInt(5_000);
				spans.add(span(decisions[i], decisions[i]));
			}
			assertThat(Admissions.busiest(spans, window, Long.MIN_VALUE, Long.MAX_VALUE).count())
				.as("seed %d trial %d", seed, trial)
				.isEqualTo(mostInOneWindow(decisions, window));
		}
	}

	private static int mostInOneWindow(long[] decisions, long window) {
		long[] sorted = decisions.clone();
		Arrays.sort(sorted);
		int most = 0;
		for (int i = 0; i < sorted.length; i++) {
			int count = 0;
			for (long decision : sorted) {
				if (decision >= sorted[i] && decision < sorted[i] + window) {
					count++;
				}
			}
			most = Math.max(most, count);
		}
		return most;
	}

	private static Admissions.Span span(long sent, long received) {
		return new Admissions.Span(sent, received);
	}

}
