package dev.perfkit.query;

import java.util.List;

/**
 * Finds the application code behind a statement: the first stack frame outside perfkit's
 * query package, the JDK, JDBC drivers, pools, proxies, Hibernate and Spring. Walked only
 * when a suspect is found, never per statement.
 */
final class Callers {

	private static final List<String> FRAMEWORK_PREFIXES = List.of("net.ttddyy.", "org.hibernate.", "com.zaxxer.", "java.", "javax.", "jakarta.", "jdk.", "sun.", "com.sun.",
			"org.springframework.", "org.postgresql.", "org.h2.", "com.mysql.", "org.apache.", "org.junit.",
			"org.assertj.");

	private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

	private static final Object PERFKIT_CODE = codeSource(Callers.class);

	private Callers() {
	}

	static String find() {
		return WALKER.walk((frames) -> frames
			.filter((frame) -> FRAMEWORK_PREFIXES.stream().noneMatch(frame.getClassName()::startsWith)
					// Generated proxies (Hibernate, CGLIB, ByteBuddy) have no source file.
					&& frame.getFileName() != null && !frame.getClassName().contains("$$")
					&& !isPerfkit(frame.getDeclaringClass()))
			.findFirst()
			.map((frame) -> frame.getClassName() + "." + frame.getMethodName() + "(" + frame.getFileName() + ":"
					+ frame.getLineNumber() + ")")
			.orElse("(unknown)"));
	}

	/** perfkit's own classes, but not an application's classes that share a package name. */
	private static boolean isPerfkit(Class<?> type) {
		return type.getName().startsWith("dev.perfkit.") && java.util.Objects.equals(codeSource(type), PERFKIT_CODE);
	}

	private static Object codeSource(Class<?> type) {
		var domain = type.getProtectionDomain();
		return (domain.getCodeSource() != null) ? domain.getCodeSource().getLocation() : null;
	}

}
