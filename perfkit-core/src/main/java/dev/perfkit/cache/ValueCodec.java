package dev.perfkit.cache;

/**
 * Turns cached values into bytes for the remote tier and back. Each codec has a one-byte
 * id that is written into every entry's envelope, so a reader knows which codec wrote an
 * entry and treats bytes from an unknown or different codec as a miss.
 */
public interface ValueCodec {

	/**
	 * Return the codec's id, written into every envelope. Ids 0 to 15 are perfkit's own.
	 * @return the id
	 */
	byte id();

	/**
	 * Encode a value.
	 * @param value the value, never {@code null}
	 * @return the bytes
	 */
	byte[] encode(Object value);

	/**
	 * Decode a value.
	 * @param bytes the bytes that {@link #encode} wrote
	 * @return the value
	 * @throws RuntimeException any failure, which the cache counts as a corrupt entry
	 */
	Object decode(byte[] bytes);

	/**
	 * Decode a value from part of an array, so the cache need not copy the payload out of
	 * the bytes Redis returned. Override it when the codec can read a slice in place.
	 * @param bytes the array holding the bytes that {@link #encode} wrote
	 * @param offset where they start
	 * @param length how many there are
	 * @return the value
	 * @throws RuntimeException any failure, which the cache counts as a corrupt entry
	 */
	default Object decode(byte[] bytes, int offset, int length) {
		return decode(java.util.Arrays.copyOfRange(bytes, offset, offset + length));
	}

}
