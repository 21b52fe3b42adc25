package dev.perfkit.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.perfkit.redis.CircuitBreaker.State;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CircuitBreakerTests {

	private final AtomicLong now = new AtomicLong();

	private final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(5), this.now::get);

	@Test
	void opensAfterThresholdConsecutiveFailures() {
		this.breaker.onFailure();
		this.breaker.onFailure();
		assertThat(this.breaker.state()).isEqualTo(State.CLOSED);
		this.breaker.onFailure();
		assertThat(this.breaker.state()).isEqualTo(State.OPEN);
		assertThat(this.breaker.tryAcquire()).isFalse();
	}

	@Test
	void aSuccessResetsTheFailureCount() {
		this.breaker.onFailure();
		this.breaker.onFailure();
		this.breaker.onSuccess();
		this.breaker.onFailure();
		this.breaker.onFailure();
		assertThat(this.breaker.state()).isEqualTo(State.CLOSED);
	}

	@Test
	void afterOpenDurationExactlyOneTrialCallGoesThrough() {
		openIt();
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		assertThat(this.breaker.tryAcquire()).isTrue();
		assertThat(this.breaker.state()).isEqualTo(State.HALF_OPEN);
		assertThat(this.breaker.tryAcquire()).isFalse();
	}

	@Test
	void successfulTrialClosesAndFailedTrialReopens() {
		openIt();
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		this.breaker.tryAcquire();
		this.breaker.onFailure();
		assertThat(this.breaker.state()).isEqualTo(State.OPEN);
		assertThat(this.breaker.tryAcquire()).isFalse();
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		assertThat(this.breaker.tryAcquire()).isTrue();
		this.breaker.onSuccess();
		assertThat(this.breaker.state()).isEqualTo(State.CLOSED);
		assertThat(this.breaker.tryAcquire()).isTrue();
	}

	/**
	 * A trial whose outcome is never reported (its caller gave up before sending it, say)
	 * must not keep the breaker half-open for good, refusing every call from then on.
	 */
	@Test
	void aTrialNeverReportedIsTakenOverAfterTheOpenDuration() {
		openIt();
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		assertThat(this.breaker.tryAcquire()).isTrue();
		this.now.addAndGet(Duration.ofSeconds(5).toNanos() - 1);
		assertThat(this.breaker.tryAcquire()).isFalse();
		this.now.addAndGet(1);
		assertThat(this.breaker.tryAcquire()).isTrue();
		assertThat(this.breaker.tryAcquire()).isFalse();
		this.breaker.onSuccess();
		assertThat(this.breaker.state()).isEqualTo(State.CLOSED);
	}

	@Test
	void listenersHearEachTransitionOnce() {
		List<State> heard = new ArrayList<>();
		this.breaker.onStateChange(heard::add);
		openIt();
		this.breaker.onFailure();
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		this.breaker.tryAcquire();
		this.breaker.onSuccess();
		assertThat(heard).containsExactly(State.OPEN, State.HALF_OPEN, State.CLOSED);
	}

	@Test
	void rejectsAThresholdBelowOne() {
		assertThatIllegalArgumentException().isThrownBy(() -> new CircuitBreaker(0, Duration.ofSeconds(1)))
			.withMessageContaining("failureThreshold");
	}

	private void openIt() {
		for (int i = 0; i < 3; i++) {
			this.breaker.onFailure();
		}
		assertThat(this.breaker.state()).isEqualTo(State.OPEN);
	}

}
