package dev.perfkit.ratelimit;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A key's budget and leading call: a healthy key's checks go at once, an unknown or
 * limited key's checks wait for one leading call, whose answer they always get, and the
 * keys kept are bounded.
 */
class FlightsTests {

	private static final Quota QUOTA = new Quota("t", null, Algorithm.TOKEN_BUCKET, List.of(Limit.parse("5/1h")));

	@Test
	void anUnknownKeyHasOneLeaderAndTheOthersWaitForItsAnswer() {
		Flights.Key key = new Flights(100).key("k");
		Flights.Departure leader = key.depart(1);
		assertThat(leader.leads()).isTrue();
		Flights.Departure follower = key.depart(1);
		assertThat(follower.leads()).isFalse();
		assertThat(follower.flight()).isSameAs(leader.flight()).isNotDone();
		Decision rejected = Decision.denied(QUOTA, 1000);
		key.landed(leader, rejected);
		assertThat(follower.flight()).isCompletedWithValue(rejected);
		// Rejected: the budget is 0, so the next check leads a call of its own.
		Flights.Departure next = key.depart(1);
		assertThat(next.leads()).isTrue();
		assertThat(next.flight()).isNotSameAs(leader.flight());
	}

	@Test
	void aFailedLeadingCallStillAnswersItsFollowers() {
		Flights.Key key = new Flights(100).key("k");
		Flights.Departure leader = key.depart(1);
		Flights.Departure follower = key.depart(1);
		key.landed(leader, null);
		assertThat(follower.flight()).isCompletedWithValue(null);
		assertThat(key.depart(1).leads()).isTrue();
	}

	@Test
	void aHealthyKeysChecksGoAtOnceWhileTheBudgetHoldsTheirCost() {
		Flights.Key key = new Flights(100).key("k");
		Flights.Departure leader = key.depart(1);
		key.landed(leader, admitted(5));
		assertThat(key.depart(2)).isNull();
		assertThat(key.depart(2)).isNull();
		// One permit left in the budget: a check of cost 2 leads, one of cost 1 still goes.
		assertThat(key.depart(1)).isNull();
		Flights.Departure over = key.depart(2);
		assertThat(over.leads()).isTrue();
		assertThat(key.depart(1).leads()).isFalse();
		// Any answer sets the budget again.
		key.landed(null, admitted(3));
		assertThat(key.depart(3)).isNull();
	}

	@Test
	void theKeysKeptAreBounded() {
		Flights flights = new Flights(100);
		for (int i = 0; i < 10_000; i++) {
			flights.key("k" + i).depart(1);
		}
		assertThat(flights.size()).isLessThanOrEqualTo(100);
	}

	private static Decision admitted(long remaining) {
		return new Decision(true, QUOTA, QUOTA.limits().get(0), remaining, 0, 0, 0, Decision.Source.REDIS);
	}

}
