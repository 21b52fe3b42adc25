package dev.perfkit.cache;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link LocalTier}: per-entry deadlines and the load tokens that let invalidations win.
 */
class LocalTierTests {

	private static final Duration TIER_TTL = Duration.ofMinutes(1);

	private final LocalTier tier = new LocalTier(100, TIER_TTL);

	@Test
	void anEntryWithAShorterDeadlineExpiresBeforeTheTiersTtl() {
		this.tier.put("null", LocalTier.Entry.of("v", Duration.ofMillis(200), TIER_TTL));
		this.tier.put("value", LocalTier.Entry.of("w", Duration.ofMinutes(5), TIER_TTL));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.tier.get("null") == null);
		assertThat(this.tier.get("value")).isNotNull();
		assertThat(this.tier.putIfAbsent("null", LocalTier.Entry.of("again", TIER_TTL, TIER_TTL))).isNull();
	}

	@Test
	void aLoadThatStartedBeforeAnInvalidationOfItsKeyIsNotInstalled() {
		long token = this.tier.token();
		this.tier.invalidate("k");
		assertThat(this.tier.putIfUnchanged("k", LocalTier.Entry.of("stale", TIER_TTL, TIER_TTL), token)).isFalse();
		assertThat(this.tier.get("k")).isNull();
		assertThat(this.tier.putIfUnchanged("k", LocalTier.Entry.of("fresh", TIER_TTL, TIER_TTL), this.tier.token()))
			.isTrue();
	}

	/**
	 * Found by the checker (seed 215144624, round 45, no faults): a writer drops its copy
	 * and takes its token; another instance's invalidation of the key arrives; a reader
	 * here takes its token after it and reads Redis before the writer's SET, so it copies
	 * the old value; the writer's own install is then skipped (an invalidation arrived
	 * since its token), and used to leave that old copy in place, stale until local.ttl.
	 * A skipped own install drops the key instead.
	 */
	@Test
	void aSkippedOwnInstallLeavesNoOlderCopyBehind() {
		this.tier.invalidate("k");
		long writer = this.tier.token();
		this.tier.invalidate("k");
		long reader = this.tier.token();
		assertThat(this.tier.putIfUnchanged("k", LocalTier.Entry.of("old", TIER_TTL, TIER_TTL), reader)).isTrue();
		assertThat(this.tier.putOwnIfUnchanged("k", LocalTier.Entry.of("new", TIER_TTL, TIER_TTL), writer)).isFalse();
		assertThat(this.tier.get("k")).isNull();
		assertThat(this.tier.putIfUnchanged("k", LocalTier.Entry.of("old", TIER_TTL, TIER_TTL), reader)).isFalse();
	}

	@Test
	void anInvalidationOfAnotherKeyDoesNotStopALoad() {
		long token = this.tier.token();
		this.tier.invalidate("other");
		assertThat(this.tier.putIfUnchanged("k", LocalTier.Entry.of("v", TIER_TTL, TIER_TTL), token)).isTrue();
	}

	@Test
	void aClearOrALocalWriteBeatsEveryLoadInFlight() {
		long token = this.tier.token();
		this.tier.clear();
		assertThat(this.tier.putIfUnchanged("k", LocalTier.Entry.of("v", TIER_TTL, TIER_TTL), token)).isFalse();
		long next = this.tier.token();
		this.tier.put("k", LocalTier.Entry.of("written", TIER_TTL, TIER_TTL));
		assertThat(this.tier.putIfUnchanged("k", LocalTier.Entry.of("loaded", TIER_TTL, TIER_TTL), next)).isFalse();
		assertThat(this.tier.get("k").value()).isEqualTo("written");
	}

	@Test
	void pruningTombstonesNeverLetsAnOlderLoadIn() {
		long token = this.tier.token();
		this.tier.invalidate("k");
		for (int i = 0; i < 10_001; i++) {
			this.tier.invalidate("other-" + i);
		}
		assertThat(this.tier.putIfUnchanged("k", LocalTier.Entry.of("stale", TIER_TTL, TIER_TTL), token)).isFalse();
	}

}
