package dev.perfkit.autoconfigure.webflux;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.TestRedis;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WebFlux application whose class path truly lacks the servlet API, Spring MVC and
 * Tomcat, in a JVM of its own: {@code FilteredClassLoader} only hides classes from Spring's
 * conditions, while here a perfkit class that names a servlet type where it is loaded would
 * fail to link ({@code NoClassDefFoundError}). Its limited handler and reactive service
 * method admit exactly their limits.
 */
class RateLimitWebFluxWithoutServletApiTests {

	@Test
	void aWebFluxApplicationWithoutTheServletApiStartsAndLimits() throws Exception {
		RedisEndpoint redis = TestRedis.get();
		String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		String withoutServlet = Arrays.stream(classPath.split(File.pathSeparator))
			.filter((entry) -> !entry.matches(".*(servlet|tomcat|webmvc|jetty|undertow).*"))
			.collect(Collectors.joining(File.pathSeparator));
		String java = ProcessHandle.current().info().command().orElse("java");
		Path log = Files.createTempFile("perfkit-webflux-child", ".log");
		Process child = new ProcessBuilder(java, "-cp", withoutServlet, Main.class.getName(), redis.host(),
				Integer.toString(redis.port()), UUID.randomUUID().toString())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		String output;
		try {
			// Bounded: a child that hangs fails the test with what it printed, instead of
			// hanging the build (reading its output to the end would wait for it forever).
			boolean exited = child.waitFor(180, TimeUnit.SECONDS);
			output = Files.readString(log, StandardCharsets.UTF_8);
			assertThat(exited).as(output).isTrue();
		}
		finally {
			child.destroyForcibly();
			Files.deleteIfExists(log);
		}
		assertThat(output).contains("servlet API present: false")
			.contains("api-key: 200 200 429 429")
			.contains("service: 200 200 429")
			.contains("planned: 200 200 200 429")
			.doesNotContain("NoClassDefFoundError");
		assertThat(child.exitValue()).as(output).isZero();
	}

	/** The child JVM: starts the application and reports statuses. */
	public static final class Main {

		private Main() {
		}

		public static void main(String[] args) throws Exception {
			System.out.println("servlet API present: " + present("jakarta.servlet.http.HttpServletRequest"));
			String id = args[2];
			try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
					RateLimitWebFluxIntegrationTests.WebFluxApplication.class)
				.web(WebApplicationType.REACTIVE)
				.properties("server.port=0", "spring.data.redis.host=" + args[0], "spring.data.redis.port=" + args[1],
						"perfkit.redis.command-timeout=10s", "logging.level.root=warn",
						"perfkit.rate-limit.tiers.per-user.limits=2/1h", "perfkit.rate-limit.tiers.per-user.key=user",
						"perfkit.rate-limit.tiers.per-key.limits=2/1h", "perfkit.rate-limit.tiers.per-key.key=api-key",
						"perfkit.rate-limit.tiers.quotes.limits=2/1h", "perfkit.rate-limit.tiers.closed.limits=100/1h",
						"perfkit.rate-limit.tiers.open.limits=100/1h",
						"perfkit.rate-limit.tiers.failed-attempts.limits=2/1h",
						"perfkit.rate-limit.tiers.planned.key=user", "perfkit.rate-limit.tiers.planned.default-plan=free",
						"perfkit.rate-limit.tiers.planned.plans.free=1/1h",
						"perfkit.rate-limit.tiers.planned.plans.pro=3/1h")
				.run()) {
				int port = ((WebServerApplicationContext) context).getWebServer().getPort();
				// HTTP/1.1 and a timeout: a request the server never answers fails the child.
				HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
				List<Integer> keyed = new ArrayList<>();
				for (int i = 0; i < 4; i++) {
					keyed.add(status(http, port, "/scan", "X-API-Key", id));
				}
				List<Integer> service = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					service.add(status(http, port, "/quote/" + id));
				}
				// The application's ReactivePlanResolver: pro-* users get 3/1h.
				List<Integer> planned = new ArrayList<>();
				for (int i = 0; i < 4; i++) {
					planned.add(status(http, port, "/planned", "X-Test-User", "pro-" + id));
				}
				System.out.println("api-key: " + join(keyed));
				System.out.println("planned: " + join(planned));
				System.out.println("service: " + join(service));
			}
			System.exit(0);
		}

		private static int status(HttpClient http, int port, String path, String... headers) throws Exception {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
				.timeout(Duration.ofSeconds(60));
			for (int i = 0; i < headers.length; i += 2) {
				request.header(headers[i], headers[i + 1]);
			}
			return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
		}

		private static String join(List<Integer> statuses) {
			return statuses.stream().map(String::valueOf).collect(Collectors.joining(" "));
		}

		private static boolean present(String name) {
			try {
				Class.forName(name);
				return true;
			}
			catch (ClassNotFoundException ex) {
				return false;
			}
		}

	}

}
