package dev.perfkit.ratelimit;

/**
 * The outcome of one check, reported on its binding limit: for an admitted request the
 * limit with the fewest permits left, for a rejected one the limit that frees up last.
 *
 * @param allowed whether the request may proceed
 * @param quota the quota checked, {@code null} when the request was not limited at all
 * @param limit the binding limit, {@code null} when not limited
 * @param remaining permits left in the binding limit after this request
 * @param resetMillis milliseconds until the binding limit is back to full
 * @param retryAfterMillis for a rejection, milliseconds until the request could pass
 * @param timeMillis the decision's time, epoch milliseconds (Redis's clock on the Redis path)
 * @param source who decided
 */
public record Decision(boolean allowed, Quota quota, Limit limit, long remaining, long resetMillis,
		long retryAfterMillis, long timeMillis, Source source) {

	/**
	 * Who made a decision.
	 */
	public enum Source {

		/** The shared Redis backend. */
		REDIS,

		/** The local backend, configured as the tier's backend. */
		LOCAL,

		/** The local backend, standing in while Redis cannot answer. */
		FALLBACK,

		/**
		 * This instance's memory of a rejection by Redis, until the time Redis said a
		 * permit could free up: no Redis call was made.
		 */
		SHORTCUT,

		/** The failure policy ({@code allow} or {@code deny}), while Redis cannot answer. */
		POLICY,

		/** The allow-list, or a request the tier does not limit. */
		EXEMPT

	}

	/**
	 * Return a decision that admits a request without counting it.
	 * @param quota the quota, may be {@code null}
	 * @param source why
	 * @return the decision
	 */
	public static Decision unlimited(Quota quota, Source source) {
		return new Decision(true, quota, null, -1, 0, 0, System.currentTimeMillis(), source);
	}

	/**
	 * Return a decision that rejects a request without counting it.
	 * @param quota the quota
	 * @param retryAfterMillis the suggested wait
	 * @return the decision
	 */
	public static Decision denied(Quota quota, long retryAfterMillis) {
		return new Decision(false, quota, null, 0, retryAfterMillis, retryAfterMillis, System.currentTimeMillis(),
				Source.POLICY);
	}

	/**
	 * Pick the binding limit from per-limit figures, in the quota's order.
	 * @param allowed whether the request was admitted
	 * @param quota the quota
	 * @param figures {@code remaining, reset, retry} per limit, flattened
	 * @param timeMillis the decision's time
	 * @param source who decided
	 * @return the decision
	 */
	static Decision of(boolean allowed, Quota quota, long[] figures, long timeMillis, Source source) {
		int binding = 0;
		for (int i = 1; i < quota.limits().size(); i++) {
			long remaining = figures[3 * i];
			long bestRemaining = figures[3 * binding];
			if (allowed) {
				if (remaining < bestRemaining
						|| (remaining == bestRemaining && figures[3 * i + 1] > figures[3 * binding + 1])) {
					binding = i;
				}
			}
			else if (figures[3 * i + 2] > figures[3 * binding + 2]) {
				binding = i;
			}
		}
		return new Decision(allowed, quota, quota.limits().get(binding), figures[3 * binding],
				figures[3 * binding + 1], allowed ? 0 : figures[3 * binding + 2], timeMillis, source);
	}

	/**
	 * Return whether the request was counted against a limit (so headers make sense).
	 * @return whether a limit is known
	 */
	public boolean limited() {
		return this.limit != null;
	}

	/**
	 * Return the whole seconds to wait before retrying, rounded up, at least 1.
	 * @return the seconds
	 */
	public long retryAfterSeconds() {
		return Math.max(1, (this.retryAfterMillis + 999) / 1000);
	}

	/**
	 * Return the epoch second at which the binding limit is back to full, rounded up.
	 * @return the epoch second
	 */
	public long resetEpochSeconds() {
		return (this.timeMillis + this.resetMillis + 999) / 1000;
	}

	/**
	 * Return the whole seconds until the binding limit is back to full, rounded up.
	 * @return the seconds
	 */
	public long resetSeconds() {
		return (this.resetMillis + 999) / 1000;
	}

}
