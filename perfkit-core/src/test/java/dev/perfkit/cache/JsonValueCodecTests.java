package dev.perfkit.cache;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link JsonValueCodec} and the {@link Envelope} around it.
 */
class JsonValueCodecTests {

	record Price(String sku, BigDecimal amount, List<Long> tiers) {
	}

	@Test
	void applicationTypesOnTheAllowListRoundTripWithTheirTypes() {
		JsonValueCodec codec = new JsonValueCodec(List.of("dev.perfkit.cache."));
		Price price = new Price("sku-1", new BigDecimal("9.99"), List.of(1L, 2L));
		Object decoded = Envelope.unwrap(codec, Envelope.wrap(codec, List.of(price, Map.of("n", 5L))));
		assertThat(decoded).isEqualTo(List.of(price, Map.of("n", 5L)));
	}

	@Test
	void typesOutsideTheAllowListDoNotDecode() {
		JsonValueCodec writer = new JsonValueCodec(List.of("dev.perfkit.cache."));
		JsonValueCodec reader = new JsonValueCodec(List.of());
		byte[] bytes = Envelope.wrap(writer, new Price("sku-1", BigDecimal.ONE, List.of()));
		assertThatExceptionOfType(Envelope.CorruptEntryException.class).isThrownBy(() -> Envelope.unwrap(reader, bytes));
	}

	@Test
	void gadgetTypesAreRefusedEvenUnderAnAllowedPackage() {
		JsonValueCodec codec = new JsonValueCodec(List.of());
		byte[] gadget = "[\"java.lang.ProcessBuilder\",{\"command\":[\"sh\"]}]".getBytes();
		byte[] bytes = new byte[4 + gadget.length];
		bytes[0] = Envelope.MAGIC;
		bytes[1] = Envelope.VERSION;
		bytes[2] = JsonValueCodec.ID;
		System.arraycopy(gadget, 0, bytes, 4, gadget.length);
		assertThatExceptionOfType(Envelope.CorruptEntryException.class).isThrownBy(() -> Envelope.unwrap(codec, bytes));
	}

	@Test
	void bytesOfAnotherVersionOrCodecAreRefused() {
		JsonValueCodec codec = new JsonValueCodec(List.of());
		byte[] bytes = Envelope.wrap(codec, "v");
		bytes[1] = 2;
		assertThatExceptionOfType(Envelope.CorruptEntryException.class).isThrownBy(() -> Envelope.unwrap(codec, bytes))
			.withMessageContaining("version");
		bytes[1] = Envelope.VERSION;
		bytes[2] = 9;
		assertThatExceptionOfType(Envelope.CorruptEntryException.class).isThrownBy(() -> Envelope.unwrap(codec, bytes))
			.withMessageContaining("codec");
	}

	@Test
	void invalidationMessagesRoundTripAndGarbageIsRejected() {
		Invalidation invalidation = new Invalidation(Invalidation.Kind.KEYS, 42, 7, "prices", List.of("a", "ü"));
		assertThat(Invalidation.decode(invalidation.encode())).isEqualTo(invalidation);
		assertThat(Invalidation.decode(new byte[] { 0x50, 1, 9 })).isNull();
		assertThat(Invalidation.decode("{\"kind\":\"KEYS\"}".getBytes())).isNull();
	}

}
