package dev.perfkit.ratelimit;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local limiter's memory bound and its per-limiter state.
 */
class LocalRateLimiterTests {

	private static final long T0 = 1_800_000_000_000L;

	private final AtomicLong clock = new AtomicLong(T0);

	@Test
	void eachQuotaKeepsAtMostTheMaximumKeys() {
		LocalRateLimiter limiter = new LocalRateLimiter(100, this.clock::get, Decision.Source.LOCAL);
		Quota ip = new Quota("per-ip", null, Algorithm.TOKEN_BUCKET, List.of(Limit.parse("5/1m")));
		Quota log = new Quota("auth", null, Algorithm.SLIDING_LOG, List.of(Limit.parse("5/1m")));
		for (int i = 0; i < 2_000; i++) {
			limiter.check(ip, "k" + i, 1, false);
			limiter.check(log, "k" + i, 1, false);
		}
		assertThat(limiter.size()).isLessThanOrEqualTo(200);
	}

	@Test
	void heavySlidingLogsCountByTheirWeight() {
		LocalRateLimiter limiter = new LocalRateLimiter(1_000, this.clock::get, Decision.Source.LOCAL);
		Quota log = new Quota("bulk", null, Algorithm.SLIDING_LOG, List.of(Limit.parse("1000/1m")));
		for (int i = 0; i < 2_000; i++) {
			limiter.check(log, "k" + i, 1, false);
		}
		// each log may grow to 1000 entries: weight 1 + 125, so fewer than 8 fit in 1000
		assertThat(limiter.size()).isLessThanOrEqualTo(7);
	}

	@Test
	void aSlidingLogGivesBackItsMemoryOnceABurstHasExpired() {
		Quota quota = new Quota("bulk", null, Algorithm.SLIDING_LOG, List.of(Limit.parse("1000/1m")));
		SlidingLog log = new SlidingLog(quota);
		for (int i = 0; i < 1000; i++) {
			assertThat(log.check(quota, 1, false, T0, Decision.Source.LOCAL).allowed()).isTrue();
		}
		assertThat(log.check(quota, 1, false, T0, Decision.Source.LOCAL).allowed()).isFalse();
		assertThat(log.capacity()).isGreaterThanOrEqualTo(1000);
		for (int i = 1; i <= 10; i++) {
			log.check(quota, 1, false, T0 + 60_000 * i, Decision.Source.LOCAL);
		}
		assertThat(log.capacity()).isLessThanOrEqualTo(16);
	}

	@Test
	void aSlidingLogLimitAboveTheCapIsRefused() {
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> new Quota("bulk", null, Algorithm.SLIDING_LOG, List.of(Limit.parse("10000/1m"))))
			.withMessageContaining("at most 1000");
	}

	@Test
	void twoLimitersCheckingTheSameQuotaKeepTheirOwnCounts() {
		Quota quota = new Quota("auth", null, Algorithm.SLIDING_LOG, List.of(Limit.parse("2/1m")));
		LocalRateLimiter first = new LocalRateLimiter(100, this.clock::get, Decision.Source.LOCAL);
		LocalRateLimiter second = new LocalRateLimiter(100, this.clock::get, Decision.Source.LOCAL);
		assertThat(first.check(quota, "k", 1, false).remaining()).isEqualTo(1);
		assertThat(second.check(quota, "k", 1, false).remaining()).isEqualTo(1);
		assertThat(first.check(quota, "k", 1, false).remaining()).isZero();
		assertThat(second.check(quota, "k", 1, false).remaining()).isZero();
		assertThat(first.check(quota, "k", 1, false).allowed()).isFalse();
		// a view on the same state (the fallback) sees the same counts
		assertThat(first.as(Decision.Source.FALLBACK).check(quota, "k", 1, false).allowed()).isFalse();
	}

	@Test
	void aRefundOfATokenBucketNeverFillsItBeyondItsCapacity() {
		LocalRateLimiter limiter = new LocalRateLimiter(100, this.clock::get, Decision.Source.LOCAL);
		Quota quota = new Quota("login", null, Algorithm.TOKEN_BUCKET, List.of(Limit.parse("3/1m")));
		limiter.check(quota, "k", 1, false);
		limiter.refund(quota, "k", 1, T0);
		limiter.refund(quota, "k", 1, T0);
		assertThat(limiter.check(quota, "k", 1, true).remaining()).isEqualTo(3);
		assertThat(limiter.check(quota, "k", 3, false).allowed()).isTrue();
		assertThat(limiter.check(quota, "k", 1, false).allowed()).isFalse();
	}

}
