package dev.perfkit.query;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Typed settings of the query insight engine.
 *
 * @param slowThreshold statements that take at least this long are logged as slow
 * @param maxFingerprints the hard bound on distinct fingerprints kept per data source;
 * further statements are counted in the overflow bucket
 * @param maxTaggedFingerprints how many fingerprints per data source get a meter tag of
 * their own; the others share the {@code other} tag
 * @param logParameters whether slow-query lines show bind parameters (masked otherwise)
 * @param redactedParameters column names (lower case) whose bound values are never shown
 * @param maxParameterLength longer parameter values are truncated in the log
 * @param nPlusOneThreshold executions of one fingerprint with different parameters in
 * one scope that make an N+1 suspect; {@code 0} switches detection off
 * @param strict whether an N+1 suspect throws {@link NPlusOneException} instead of
 * warning
 * @param timeout a default statement timeout applied where none is set, or
 * {@link Duration#ZERO} for none
 * @param slowLogLinesPerSecond the most slow-query lines written per second by one
 * engine (all its data sources together); the next line written says how many were
 * not. {@code 0} writes every line
 */
public record QuerySettings(Duration slowThreshold, int maxFingerprints, int maxTaggedFingerprints,
		boolean logParameters, Set<String> redactedParameters, int maxParameterLength, int nPlusOneThreshold,
		boolean strict, Duration timeout, int slowLogLinesPerSecond) {

	/**
	 * Validate and normalize the settings.
	 */
	public QuerySettings {
		if (slowThreshold == null || slowThreshold.isNegative()) {
			throw new IllegalArgumentException("slowThreshold must be zero or positive");
		}
		if (maxFingerprints < 1) {
			throw new IllegalArgumentException("maxFingerprints must be at least 1");
		}
		if (maxTaggedFingerprints < 0) {
			throw new IllegalArgumentException("maxTaggedFingerprints must not be negative");
		}
		if (maxParameterLength < 1) {
			throw new IllegalArgumentException("maxParameterLength must be at least 1");
		}
		if (nPlusOneThreshold < 0 || nPlusOneThreshold == 1) {
			throw new IllegalArgumentException("nPlusOneThreshold must be 0 (off) or at least 2");
		}
		if (timeout == null || timeout.isNegative()) {
			throw new IllegalArgumentException("timeout must be zero (none) or positive");
		}
		if (slowLogLinesPerSecond < 0) {
			throw new IllegalArgumentException("slowLogLinesPerSecond must be 0 (unbounded) or positive");
		}
		redactedParameters = (redactedParameters != null) ? redactedParameters.stream()
			.map((name) -> name.toLowerCase(Locale.ROOT))
			.collect(Collectors.toUnmodifiableSet()) : Set.of();
	}

	/**
	 * Return the defaults: 100 ms slow threshold, 500 fingerprints (20 tagged), masked
	 * parameters with common secret names redacted, N+1 at 5 executions, no timeout, at
	 * most 10 slow-query lines per second.
	 * <p>
	 * Why 10 lines per second: when the database slows down, every statement becomes slow
	 * and one line each would make the log the bottleneck (request threads queue on the
	 * appender's lock). Ten lines a second still show which statements are slow, with real
	 * durations and data sources, within seconds of it starting; the exact figures of every
	 * statement are in the per-fingerprint statistics, which are never bounded this way.
	 * @return the default settings
	 */
	public static QuerySettings defaults() {
		return new QuerySettings(Duration.ofMillis(100), 500, 20, false, Set.of("password", "secret", "token"), 64, 5,
				false, Duration.ZERO, 10);
	}

	/**
	 * Return a copy with another slow threshold.
	 * @param threshold the threshold
	 * @return the copy
	 */
	public QuerySettings withSlowThreshold(Duration threshold) {
		return new QuerySettings(threshold, this.maxFingerprints, this.maxTaggedFingerprints, this.logParameters,
				this.redactedParameters, this.maxParameterLength, this.nPlusOneThreshold, this.strict, this.timeout,
				this.slowLogLinesPerSecond);
	}

	/**
	 * Return a copy with other fingerprint bounds.
	 * @param max the bound on distinct fingerprints
	 * @param tagged how many get a meter tag of their own
	 * @return the copy
	 */
	public QuerySettings withFingerprintBounds(int max, int tagged) {
		return new QuerySettings(this.slowThreshold, max, tagged, this.logParameters, this.redactedParameters,
				this.maxParameterLength, this.nPlusOneThreshold, this.strict, this.timeout,
				this.slowLogLinesPerSecond);
	}

	/**
	 * Return a copy that logs parameters.
	 * @param redacted column names whose values stay hidden
	 * @param maxLength the truncation length
	 * @return the copy
	 */
	public QuerySettings withParameterLogging(Set<String> redacted, int maxLength) {
		return new QuerySettings(this.slowThreshold, this.maxFingerprints, this.maxTaggedFingerprints, true, redacted,
				maxLength, this.nPlusOneThreshold, this.strict, this.timeout, this.slowLogLinesPerSecond);
	}

	/**
	 * Return a copy with other N+1 rules.
	 * @param threshold the threshold, {@code 0} for off
	 * @param strict whether a suspect throws
	 * @return the copy
	 */
	public QuerySettings withNPlusOne(int threshold, boolean strict) {
		return new QuerySettings(this.slowThreshold, this.maxFingerprints, this.maxTaggedFingerprints,
				this.logParameters, this.redactedParameters, this.maxParameterLength, threshold, strict, this.timeout,
				this.slowLogLinesPerSecond);
	}

	/**
	 * Return a copy with a default statement timeout.
	 * @param timeout the timeout, {@link Duration#ZERO} for none
	 * @return the copy
	 */
	public QuerySettings withTimeout(Duration timeout) {
		return new QuerySettings(this.slowThreshold, this.maxFingerprints, this.maxTaggedFingerprints,
				this.logParameters, this.redactedParameters, this.maxParameterLength, this.nPlusOneThreshold,
				this.strict, timeout, this.slowLogLinesPerSecond);
	}

	/**
	 * Return a copy with another bound on slow-query lines.
	 * @param linesPerSecond the most lines written per second, {@code 0} for every line
	 * @return the copy
	 */
	public QuerySettings withSlowLogLinesPerSecond(int linesPerSecond) {
		return new QuerySettings(this.slowThreshold, this.maxFingerprints, this.maxTaggedFingerprints,
				this.logParameters, this.redactedParameters, this.maxParameterLength, this.nPlusOneThreshold,
				this.strict, this.timeout, linesPerSecond);
	}

}
