package dev.perfkit.sample.jvm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@link VirtualThreadPinningIntegrationTests} decides whose a pin is, on events as
 * {@code jfr print} writes them.
 */
class VirtualThreadPinningAttributionTests {

	// Seen in CI on JDK 25: Jackson reached from Spring MVC's body converter, with a perfkit
	// filter lower in the chain.
	private static final String JACKSON_UNDER_SPRING_MVC = """
			jdk.VirtualThreadPinned {
			  blockingOperation = "Contended monitor enter"
			  stackTrace = [
			    java.lang.ref.ReferenceQueue.poll() line: 164
			    java.lang.invoke.MethodType.makeImpl(Class, Class[], boolean) line: 394
			    tools.jackson.databind.introspect.AnnotatedConstructor.call(Object[]) line: 113
			    org.springframework.http.converter.AbstractJacksonHttpMessageConverter.readJavaType(JavaType, HttpInputMessage, Map) line: 352
			    org.springframework.web.servlet.DispatcherServlet.doDispatch(HttpServletRequest, HttpServletResponse) line: 963
			    dev.perfkit.autoconfigure.cache.CacheStatusHeaderFilter.doFilterInternal(HttpServletRequest, HttpServletResponse, FilterChain) line: 23
			    org.apache.catalina.core.StandardWrapperValve.invoke(Request, Response) line: 165
			  ]
			}
			""";

	@Test
	void aPinInALibraryReachedFromSpringMvcIsNotPerfkits() {
		assertThat(VirtualThreadPinningIntegrationTests.events(JACKSON_UNDER_SPRING_MVC)).singleElement()
			.satisfies((event) -> assertThat(VirtualThreadPinningIntegrationTests.reachedThroughPerfkit(event)).isFalse());
	}

	@Test
	void aPinInALibraryReachedFromPerfkitIsPerfkits() {
		String event = JACKSON_UNDER_SPRING_MVC.replace(
				"org.springframework.http.converter.AbstractJacksonHttpMessageConverter.readJavaType(JavaType, HttpInputMessage, Map) line: 352",
				"dev.perfkit.cache.serialization.JacksonValueSerializer.deserialize(byte[]) line: 80");
		assertThat(VirtualThreadPinningIntegrationTests.reachedThroughPerfkit(event)).isTrue();
	}

	@Test
	void aPinInPerfkitsOwnFrameIsPerfkits() {
		String event = """
				  stackTrace = [
				    jdk.internal.misc.Unsafe.park(boolean, long) line: 1
				    dev.perfkit.cache.LocalTier.put(Object, Object) line: 12
				    org.springframework.cache.interceptor.CacheAspectSupport.execute(CacheOperationInvoker, Method, CacheOperationContexts) line: 400
				  ]
				""";
		assertThat(VirtualThreadPinningIntegrationTests.reachedThroughPerfkit(event)).isTrue();
	}

	@Test
	void aPinWithNoApplicationFrameIsNotPerfkits() {
		String event = """
				  stackTrace = [
				    java.lang.ref.ReferenceQueue.poll() line: 164
				    java.lang.Thread.run() line: 1
				  ]
				""";
		assertThat(VirtualThreadPinningIntegrationTests.reachedThroughPerfkit(event)).isFalse();
	}

}
