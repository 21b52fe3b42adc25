package dev.perfkit.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Builds the storage key of a check: {@code perfkit:rl:{tier:fingerprint:key}}. The
 * whole identity is one hash tag, so every key of a check lands in one cluster slot.
 * Identities that are long or contain braces are replaced by their SHA-256, so no
 * caller-supplied text can break the tag or grow keys without bound.
 */
final class StorageKey {

	static final String PREFIX = "perfkit:rl:";

	private static final int MAX_RAW_LENGTH = 96;

	private StorageKey() {
	}

	static String of(Quota quota, String key) {
		return prefix(quota) + safe(key) + "}";
	}

	/**
	 * Return what every storage key of a quota starts with: {@code perfkit:rl:{tier:fingerprint:}.
	 * @param quota the quota
	 * @return the prefix, up to the identity
	 */
	static String prefix(Quota quota) {
		return PREFIX + "{" + quota.tier() + ":" + quota.fingerprint() + ":";
	}

	static String safe(String key) {
		if (key.length() <= MAX_RAW_LENGTH && key.indexOf('{') < 0 && key.indexOf('}') < 0) {
			return key;
		}
		return "h:" + sha256(key);
	}

	/**
	 * Return the hex SHA-256 of a text.
	 * @param text the text
	 * @return 64 hex digits
	 */
	static String sha256(String text) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
