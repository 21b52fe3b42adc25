package dev.perfkit.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import tools.jackson.databind.DefaultTyping;
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

	/** Packages every cache may hold: collections, boxed primitives, dates and times. */
	public static final List<String> STANDARD_PACKAGES = List.of("java.util.", "java.lang.", "java.time.",
			"java.math.");

	private final JsonMapper mapper;

	private final List<String> allowedPrefixes;

	/**
	 * Create a codec that allows the standard packages plus the given ones.
	 * @param allowedPrefixes class name prefixes of the application's cached types, such as
	 * {@code com.example.pricing.}
	 */
	public JsonValueCodec(Collection<String> allowedPrefixes) {
		List<String> prefixes = new ArrayList<>(STANDARD_PACKAGES);
		prefixes.addAll(allowedPrefixes);
		this.allowedPrefixes = List.copyOf(prefixes);
		BasicPolymorphicTypeValidator.Builder validator = BasicPolymorphicTypeValidator.builder()
			.allowIfSubTypeIsArray();
		for (String prefix : this.allowedPrefixes) {
			validator.allowIfSubType(prefix);
		}
		this.mapper = JsonMapper.builder()
			.findAndAddModules()
			.activateDefaultTyping(validator.build(), DefaultTyping.NON_FINAL_AND_RECORDS, JsonTypeInfo.As.PROPERTY)
			.build();
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
		return this.mapper.writerFor(Object.class).writeValueAsBytes(value);
	}

	@Override
	public Object decode(byte[] bytes) {
		return this.mapper.readValue(bytes, Object.class);
	}

}
