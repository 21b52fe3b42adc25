package dev.perfkit.ratelimit;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link CoarseClock}.
 */
class CoarseClockTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	@Test
	void followsTheSystemClockWithoutRunningAhead() {
		CoarseClock clock = new CoarseClock(1000);
		long start = System.currentTimeMillis();
		for (int i = 0; i < 100_000; i++) {
			long read = clock.getAsLong();
			assertThat(read).isLessThanOrEqualTo(System.currentTimeMillis()).isGreaterThanOrEqualTo(start - 1);
		}
		long later = System.currentTimeMillis() + 20;
		await().atMost(BOUND).until(() -> clock.getAsLong() >= later);
	}

	@Test
	void tickerEndsWhenIdleAndAReadStartsAnother() {
		CoarseClock clock = new CoarseClock(20);
		clock.getAsLong();
		Thread first = clock.ticker();
		assertThat(first).isNotNull();
		assertThat(first.isDaemon()).isTrue();
		await().atMost(BOUND).until(() -> !first.isAlive());
		long afterIdle = System.currentTimeMillis();
		assertThat(clock.getAsLong()).isGreaterThanOrEqualTo(afterIdle);
		assertThat(clock.ticker()).isNotSameAs(first);
		// Reading keeps the new ticker alive.
		await().atMost(BOUND).until(() -> clock.getAsLong() > 0 && clock.ticker().isAlive());
	}

	@Test
	void tickerKeepsRunningWhileRead() {
		CoarseClock clock = new CoarseClock(20);
		clock.getAsLong();
		Thread ticker = clock.ticker();
		long until = System.currentTimeMillis() + 200;
		while (clock.getAsLong() < until) {
			assertThat(clock.ticker()).isSameAs(ticker);
		}
		assertThat(ticker.isAlive()).isTrue();
	}

}
