package dev.perfkit.cache;

import java.time.Duration;

/**
 * How a cache bends its TTL for availability: stale-if-error and refresh-ahead, both off
 * by default. Kept apart from the other settings so a cache's TTLs read the same with
 * both off.
 *
 * @param staleIfError how long after its TTL ran out an entry may still be returned when
 * its loader throws ({@link Duration#ZERO}: never). Entries are kept that much longer in
 * Redis, but read as expired: a read loads, and only a loader's exception returns the old
 * value.
 * @param refreshAhead the fraction of an entry's remote TTL after which a hit reloads it
 * in the background (one instance of all, under a lease) while returning the current
 * value; {@code 0} for never, otherwise between 0.01 and 0.99
 */
public record Freshness(Duration staleIfError, double refreshAhead) {

	/** Neither stale-if-error nor refresh-ahead. */
	public static final Freshness OFF = new Freshness(Duration.ZERO, 0);

	/**
	 * Check the settings.
	 * @throws IllegalArgumentException naming the setting that cannot work
	 */
	public Freshness {
		if (staleIfError == null || staleIfError.isNegative()) {
			throw new IllegalArgumentException("staleIfError must not be negative, was " + staleIfError);
		}
		if (refreshAhead != 0 && !(refreshAhead >= 0.01 && refreshAhead <= 0.99)) {
			throw new IllegalArgumentException("refreshAhead must be 0 (off) or between 0.01 and 0.99, was "
					+ refreshAhead);
		}
	}

	/**
	 * Return whether a loader's failure may return an expired value.
	 * @return whether stale-if-error is on
	 */
	public boolean staleIfErrorEnabled() {
		return !this.staleIfError.isZero();
	}

	/**
	 * Return whether hits past the threshold reload in the background.
	 * @return whether refresh-ahead is on
	 */
	public boolean refreshAheadEnabled() {
		return this.refreshAhead > 0;
	}

}
