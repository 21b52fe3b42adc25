package dev.perfkit.autoconfigure.cache;

/**
 * A share written as a percentage ({@code 80%}) or a fraction ({@code 0.8}), as in
 * {@code perfkit.cache.refresh-ahead}. Boot binds it through {@link #valueOf(String)}.
 *
 * @param fraction the share as a fraction, {@code 0.8} for {@code 80%}
 */
public record Percent(double fraction) {

	/**
	 * Parse {@code 80%} or {@code 0.8}.
	 * @param text the text
	 * @return the share
	 * @throws IllegalArgumentException when the text is neither
	 */
	public static Percent valueOf(String text) {
		String trimmed = text.trim();
		try {
			if (trimmed.endsWith("%")) {
				return new Percent(Double.parseDouble(trimmed.substring(0, trimmed.length() - 1).trim()) / 100);
			}
			return new Percent(Double.parseDouble(trimmed));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("Not a percentage such as 80% or a fraction such as 0.8: " + text, ex);
		}
	}

	@Override
	public String toString() {
		return (this.fraction * 100) + "%";
	}

}
