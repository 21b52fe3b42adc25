package dev.perfkit.ratelimit;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One limit, {@code N} permits per window, written {@code N/duration} such as
 * {@code 5/1m}, {@code 3/5m}, {@code 10/1h} or {@code 100/30d} (units {@code ms},
 * {@code s}, {@code m}, {@code h}, {@code d}; a bare unit means one of it: {@code 20/m}).
 * <p>
 * Both backends count in whole milliseconds and keep token levels as integers
 * {@code tokens × window-millis}; {@code capacity × window-millis} must therefore stay
 * below 2<sup>53</sup> so that Redis's Lua numbers hold them exactly.
 *
 * @param capacity the permits per window, at least 1
 * @param window the window, at least one millisecond
 */
public record Limit(long capacity, Duration window) {

	/** The largest exact integer of a Lua (double) number. */
	static final long MAX_EXACT = 1L << 53;

	private static final Pattern SYNTAX = Pattern.compile("\\s*(\\d{1,12})\\s*/\\s*(\\d{0,9})\\s*(ms|s|m|h|d)\\s*");

	/**
	 * Create a limit.
	 * @param capacity the permits per window
	 * @param window the window
	 */
	public Limit {
		if (capacity < 1) {
			throw new IllegalArgumentException("A limit needs at least 1 permit, was " + capacity);
		}
		if (window == null || window.toMillis() < 1) {
			throw new IllegalArgumentException("A limit's window must be at least 1ms, was " + window);
		}
		if (Math.multiplyHigh(capacity, window.toMillis()) != 0 || capacity * window.toMillis() >= MAX_EXACT) {
			throw new IllegalArgumentException("Limit " + capacity + " per " + window + " is too large to count exactly");
		}
	}

	/**
	 * Parse {@code N/duration}.
	 * @param text the limit
	 * @return the limit
	 * @throws IllegalArgumentException when the text is not a valid limit
	 */
	public static Limit parse(String text) {
		Matcher matcher = (text != null) ? SYNTAX.matcher(text) : null;
		if (matcher == null || !matcher.matches()) {
			throw new IllegalArgumentException(
					"'" + text + "' is not a limit: write N/duration such as 5/1m, 3/5m, 10/1h or 100/30d");
		}
		long capacity = Long.parseLong(matcher.group(1));
		long amount = matcher.group(2).isEmpty() ? 1 : Long.parseLong(matcher.group(2));
		Duration window = switch (matcher.group(3)) {
			case "ms" -> Duration.ofMillis(amount);
			case "s" -> Duration.ofSeconds(amount);
			case "m" -> Duration.ofMinutes(amount);
			case "h" -> Duration.ofHours(amount);
			default -> Duration.ofDays(amount);
		};
		return new Limit(capacity, window);
	}

	/**
	 * Return the window in milliseconds.
	 * @return the window
	 */
	public long windowMillis() {
		return this.window.toMillis();
	}

	@Override
	public String toString() {
		long millis = this.window.toMillis();
		if (millis % 86_400_000 == 0) {
			return this.capacity + "/" + (millis / 86_400_000) + "d";
		}
		if (millis % 3_600_000 == 0) {
			return this.capacity + "/" + (millis / 3_600_000) + "h";
		}
		if (millis % 60_000 == 0) {
			return this.capacity + "/" + (millis / 60_000) + "m";
		}
		if (millis % 1000 == 0) {
			return this.capacity + "/" + (millis / 1000) + "s";
		}
		return this.capacity + "/" + millis + "ms";
	}

}
