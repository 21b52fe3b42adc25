package dev.perfkit.autoconfigure.query;

import java.util.Arrays;

import org.springframework.util.ClassUtils;

/** Spring Boot's auto-configurations by name, as the tests pick them. */
final class AutoConfigurationClasses {

	private AutoConfigurationClasses() {
	}

	static Class<?>[] named(String... names) {
		return Arrays.stream(names)
			.map((name) -> ClassUtils.resolveClassName(name, AutoConfigurationClasses.class.getClassLoader()))
			.toArray(Class<?>[]::new);
	}

}
