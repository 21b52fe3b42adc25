package dev.perfkit.query;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A normalized statement: literals replaced by {@code ?}, IN lists collapsed, comments and
 * redundant whitespace removed. Statements that differ only in those respects share one.
 *
 * @param id a short, stable identifier derived from the normalized text, safe as a metric
 * tag
 * @param sql the normalized SQL text
 */
public record Fingerprint(String id, String sql) {

	/** The bucket that statements land in once the bound on distinct fingerprints is reached. */
	public static final Fingerprint OVERFLOW = new Fingerprint("overflow", "(other statements past the fingerprint bound)");

	/**
	 * Return the fingerprint of a statement of a dialect perfkit does not know, masking
	 * anything that could be a string in any supported dialect.
	 * @param sql the statement as sent to the driver
	 * @return its fingerprint
	 * @see #of(String, SqlDialect)
	 */
	public static Fingerprint of(String sql) {
		return of(sql, SqlDialect.UNKNOWN);
	}

	/**
	 * Return the fingerprint of a statement read with the quoting rules of its dialect.
	 * @param sql the statement as sent to the driver
	 * @param dialect the dialect of the data source it was sent to
	 * @return its fingerprint
	 */
	public static Fingerprint of(String sql, SqlDialect dialect) {
		String normalized = SqlNormalizer.normalize(sql, dialect);
		return new Fingerprint(shortId(normalized), normalized);
	}

	/**
	 * Whether this is the overflow bucket.
	 * @return {@code true} for {@link #OVERFLOW}
	 */
	public boolean isOverflow() {
		return this == OVERFLOW || "overflow".equals(this.id);
	}

	private static String shortId(String normalized) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(normalized.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest, 0, 6);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required by every JVM", ex);
		}
	}

}
