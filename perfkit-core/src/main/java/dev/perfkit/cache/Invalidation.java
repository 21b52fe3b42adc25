package dev.perfkit.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One invalidation message on the pub/sub channel, in a fixed binary format that is never
 * polymorphic: magic {@code 0x50}, version, kind, sender id (8 bytes), sender sequence (8
 * bytes), cache name (2-byte length + UTF-8), key count (4 bytes) and each key (4-byte
 * length + UTF-8). Anything else on the channel is ignored.
 * <p>
 * A {@link Kind#KEYS} message with no keys drops nothing: a sender publishes such a
 * <em>filler</em> in place of an invalidation whose write the server declined (a
 * put-if-absent of a present key), so that its numbering has no gap. Receivers only note
 * its number; receivers that predate fillers apply it as the no-op it is.
 *
 * @param kind what to drop
 * @param sender the random id of the instance that wrote
 * @param sequence the sender's message counter, one more for each message it sends
 * @param cache the cache name
 * @param keys the keys for {@link Kind#KEYS}, the one pattern for {@link Kind#PATTERN},
 * empty for {@link Kind#CLEAR}
 */
record Invalidation(Kind kind, long sender, long sequence, String cache, List<String> keys) {

	private static final byte MAGIC = 0x50;

	private static final byte VERSION = 1;

	private static final int MAX_KEYS = 100_000;

	enum Kind {

		/** Drop the keys (none: a filler). */
		KEYS,
		/** Drop the whole cache. */
		CLEAR,
		/** Drop the keys matching the one pattern. */
		PATTERN,
		/**
		 * Drops nothing: the sender's periodic statement of the last number it took, so a
		 * receiver notices lost messages even when no later message follows. Receivers
		 * that predate it do not decode it and ignore it.
		 */
		HEARTBEAT

	}

	/**
	 * Return the filler that stands for this message when its write did not happen: the
	 * same sender and number, no keys.
	 * @return the filler
	 */
	Invalidation filler() {
		return new Invalidation(Kind.KEYS, this.sender, this.sequence, this.cache, List.of());
	}

	/**
	 * Return whether applying this message changes nothing (a filler).
	 * @return whether it drops nothing
	 */
	boolean dropsNothing() {
		return this.kind == Kind.HEARTBEAT || (this.kind == Kind.KEYS && this.keys.isEmpty());
	}

	byte[] encode() {
		byte[] name = this.cache.getBytes(StandardCharsets.UTF_8);
		List<byte[]> encodedKeys = new ArrayList<>(this.keys.size());
		int size = 2 + 1 + 8 + 8 + 2 + name.length + 4;
		for (String key : this.keys) {
			byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
			encodedKeys.add(bytes);
			size += 4 + bytes.length;
		}
		ByteBuffer buffer = ByteBuffer.allocate(size);
		buffer.put(MAGIC).put(VERSION).put((byte) this.kind.ordinal()).putLong(this.sender).putLong(this.sequence);
		buffer.putShort((short) name.length).put(name).putInt(encodedKeys.size());
		encodedKeys.forEach((bytes) -> buffer.putInt(bytes.length).put(bytes));
		return buffer.array();
	}

	/**
	 * Decode a message.
	 * @param bytes the message
	 * @return the invalidation, or {@code null} when the bytes are not one
	 */
	static Invalidation decode(byte[] bytes) {
		try {
			ByteBuffer buffer = ByteBuffer.wrap(bytes);
			if (buffer.get() != MAGIC || buffer.get() != VERSION) {
				return null;
			}
			int kind = buffer.get();
			if (kind < 0 || kind >= Kind.values().length) {
				return null;
			}
			long sender = buffer.getLong();
			long sequence = buffer.getLong();
			String cache = string(buffer, buffer.getShort() & 0xFFFF);
			int count = buffer.getInt();
			if (count < 0 || count > MAX_KEYS) {
				return null;
			}
			List<String> keys = new ArrayList<>(Math.min(count, 1024));
			for (int i = 0; i < count; i++) {
				keys.add(string(buffer, buffer.getInt()));
			}
			return buffer.hasRemaining() ? null : new Invalidation(Kind.values()[kind], sender, sequence, cache, keys);
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private static String string(ByteBuffer buffer, int length) {
		byte[] bytes = new byte[length];
		buffer.get(bytes);
		return new String(bytes, StandardCharsets.UTF_8);
	}

}
