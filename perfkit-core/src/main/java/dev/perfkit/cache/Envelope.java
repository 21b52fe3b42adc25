package dev.perfkit.cache;

/**
 * The versioned frame around every value in Redis: a magic byte, a format version, the
 * codec id, a flags byte, then the codec's payload. Four bytes tell a reader whether it
 * can read an entry at all, so a format change or a codec change turns old entries into
 * misses instead of errors.
 */
final class Envelope {

	static final byte MAGIC = (byte) 0xCA;

	static final byte VERSION = 1;

	static final int HEADER = 4;

	private static final byte FLAG_NULL = 1;

	private Envelope() {
	}

	/**
	 * Wrap a value.
	 * @param codec the cache's codec
	 * @param value the value, {@code null} for a cached null
	 * @return the bytes to store
	 */
	static byte[] wrap(ValueCodec codec, Object value) {
		if (value == null) {
			return new byte[] { MAGIC, VERSION, codec.id(), FLAG_NULL };
		}
		byte[] payload = codec.encode(value);
		byte[] bytes = new byte[HEADER + payload.length];
		bytes[0] = MAGIC;
		bytes[1] = VERSION;
		bytes[2] = codec.id();
		bytes[3] = 0;
		System.arraycopy(payload, 0, bytes, HEADER, payload.length);
		return bytes;
	}

	/**
	 * Unwrap stored bytes.
	 * @param codec the cache's codec
	 * @param bytes the stored bytes
	 * @return the value, {@code null} for a cached null
	 * @throws CorruptEntryException when the bytes are not an envelope this codec wrote
	 */
	static Object unwrap(ValueCodec codec, byte[] bytes) {
		if (bytes.length < HEADER || bytes[0] != MAGIC) {
			throw new CorruptEntryException("not a perfkit entry");
		}
		if (bytes[1] != VERSION) {
			throw new CorruptEntryException("envelope version " + bytes[1] + " is not " + VERSION);
		}
		if (bytes[2] != codec.id()) {
			throw new CorruptEntryException("written by codec " + bytes[2] + ", this cache reads codec " + codec.id());
		}
		if ((bytes[3] & FLAG_NULL) != 0) {
			return null;
		}
		try {
			return codec.decode(bytes, HEADER, bytes.length - HEADER);
		}
		catch (RuntimeException ex) {
			throw new CorruptEntryException("payload does not decode: " + ex.getClass().getSimpleName());
		}
	}

	/**
	 * Bytes in Redis that perfkit cannot read.
	 */
	static final class CorruptEntryException extends RuntimeException {

		CorruptEntryException(String message) {
			super(message, null, false, false);
		}

	}

}
