package dev.perfkit.cache;

import java.util.Collection;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import tools.jackson.databind.DefaultTyping;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

/**
 * perfkit's default codec: Jackson 3 JSON with type information, where every type named
 * in the bytes must match an explicit allow-list. Open default typing is never used, so
 * bytes written by an attacker into Redis cannot instantiate gadget classes: a type
 * outside the list fails to decode and the entry counts as a miss.
 */
public final class JsonValueCodec implements ValueCodec {

	/** This codec's envelope id. */
	public static final byte ID = 1;

	/**
	 * The JDK types every cache may hold: strings, boxed primitives, big numbers, UUIDs,
	 * and (matched separately) the collections and maps of {@code java.util} and the value
	 * types of {@code java.time}. Whole JDK packages are never allowed: {@code java.lang}
	 * also holds {@code ProcessBuilder}.
	 */
	public static final List<Class<?>> STANDARD_TYPES = List.of(String.class, Boolean.class, Character.class,
			Byte.class, Short.class, Integer.class, Long.class, Float.class, Double.class, java.math.BigDecimal.class,
			java.math.BigInteger.class, java.util.UUID.class);

	private final ObjectReader reader;

	private final ObjectWriter writer;

	private final List<String> allowedPrefixes;

	/**
	 * Create a codec that allows the standard packages plus the given ones.
	 * @param allowedPrefixes class name prefixes of the application's cached types, such as
	 * {@code com.example.pricing.}; JDK packages are refused
	 */
	public JsonValueCodec(Collection<String> allowedPrefixes) {
		this.allowedPrefixes = List.copyOf(allowedPrefixes);
		BasicPolymorphicTypeValidator.Builder validator = BasicPolymorphicTypeValidator.builder()
			.allowIfSubTypeIsArray()
			.allowIfSubType((config, type) -> isStandard(type));
		for (String prefix : this.allowedPrefixes) {
			if (prefix.startsWith("java.") || prefix.startsWith("javax.") || prefix.isBlank()) {
				throw new IllegalArgumentException("Allow application packages only, not '" + prefix + "'");
			}
			validator.allowIfSubType(prefix);
		}
		JsonMapper mapper = JsonMapper.builder()
			.findAndAddModules()
			.activateDefaultTyping(validator.build(), DefaultTyping.NON_FINAL_AND_RECORDS, JsonTypeInfo.As.PROPERTY)
			.build();
		// Readers and writers are immutable and thread-safe: resolve them once, not per call.
		this.reader = mapper.readerFor(Object.class);
		this.writer = mapper.writerFor(Object.class);
	}

	private static boolean isStandard(Class<?> type) {
		if (STANDARD_TYPES.contains(type)) {
			return true;
		}
		String pkg = type.getPackageName();
		if (pkg.equals("java.util")) {
			return java.util.Collection.class.isAssignableFrom(type) || java.util.Map.class.isAssignableFrom(type);
		}
		return pkg.equals("java.time") && java.time.temporal.TemporalAccessor.class.isAssignableFrom(type)
				|| type == java.time.Duration.class || type == java.time.Period.class;
	}

	/**
	 * Return the class name prefixes that may appear in cached bytes.
	 * @return the prefixes
	 */
	public List<String> allowedPrefixes() {
		return this.allowedPrefixes;
	}

	@Override
	public byte id() {
		return ID;
	}

	@Override
	public byte[] encode(Object value) {
		return this.writer.writeValueAsBytes(value);
	}

	@Override
	public Object decode(byte[] bytes) {
		return this.reader.readValue(bytes);
	}

	@Override
	public Object decode(byte[] bytes, int offset, int length) {
		return this.reader.readValue(bytes, offset, length);
	}

}
