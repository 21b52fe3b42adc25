package dev.perfkit.sample.jvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.perfkit.test.RedisEndpoint;
import dev.perfkit.test.TestRedis;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample on JDK 25 with {@code spring.threads.virtual.enabled=true}, under concurrent
 * load on every capability (two-tier cache with Redis, rate limiting on Redis, database
 * insight, the endpoint), recorded with JFR: no {@code jdk.VirtualThreadPinned} event
 * (threshold 0, so every pin is recorded) was reached through perfkit's own code.
 * <p>
 * A pin is perfkit's when the nearest application frame above the blocking operation is
 * perfkit's: walking the stack from its top, frames of the JDK and of the libraries perfkit
 * calls (Lettuce, Netty, Spring Data Redis, Caffeine, Jackson, Micrometer, HikariCP,
 * datasource-proxy, bucket4j) are passed over, and the first frame left decides. A pin in
 * Jackson reached from Spring MVC's body converter is not perfkit's although a perfkit
 * filter sits lower in the same stack (seen in CI on JDK 25: a contended monitor in
 * {@code ReferenceQueue.poll} under {@code MethodType.makeImpl}); the same pin reached
 * from perfkit's value serializer would be.
 * <p>
 * The recording covers the steady state, after a warm-up of every path: loading and
 * initialising a class pins whoever triggers it, a JDK matter rather than perfkit's.
 * The recording also counts {@code jdk.VirtualThreadStart}, so the test fails if the
 * requests did not run on virtual threads at all. JDK 24 and later no longer pin on
 * {@code synchronized} (JEP 491); on JDK 21 a monitor held across a blocking call would
 * pin, which is why perfkit's request paths hold no monitor across I/O. The JDK is taken
 * from {@code PERFKIT_TEST_JAVA25_HOME} (default: Temurin 25 beside JDK 17).
 */
class VirtualThreadPinningIntegrationTests {

	private static final int CALLERS = 16;

	private static final int WARM_UP_ROUNDS = 10;

	private static final int ROUNDS = 30;

	@Test
	void underLoadOnVirtualThreadsNoPinnedEventHasAPerfkitFrame() throws Exception {
		Path javaHome = Path.of(System.getenv().getOrDefault("PERFKIT_TEST_JAVA25_HOME",
				"/usr/lib/jvm/temurin-25-jdk-amd64"));
		assertThat(javaHome.resolve("bin/java")).as("a JDK 25 (PERFKIT_TEST_JAVA25_HOME)").isExecutable();
		Path recording = Path.of("target", "virtual-thread-pinning.jfr").toAbsolutePath();
		Files.deleteIfExists(recording);
		RedisEndpoint redis = TestRedis.get();
		try (SampleProcess sample = SampleProcess.start("sample-virtual-threads", SampleProcess.javaOf(javaHome.toString()),
				List.of("-Xmx512m"), List.of("--spring.threads.virtual.enabled=true",
						"--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port()))) {
			// Loading and initialising a class pins (the JVM holds the class's lock in native
			// code), whoever's code triggers it. Warm every path up first, then record the
			// steady state that serves traffic.
			load(sample, WARM_UP_ROUNDS);
			String pid = Long.toString(sample.pid());
			tool(javaHome, "jcmd", pid, "JFR.start", "name=pinning", "jdk.VirtualThreadPinned#threshold=0ms",
					"jdk.VirtualThreadStart#enabled=true");
			load(sample, ROUNDS);
			tool(javaHome, "jcmd", pid, "JFR.stop", "name=pinning", "filename=" + recording);
		}
		assertThat(recording).as("the recording").exists();
		String summary = tool(javaHome, "jfr", "summary", recording.toString());
		assertThat(count(summary, "jdk.VirtualThreadStart")).as("requests ran on virtual threads").isPositive();
		String pinned = tool(javaHome, "jfr", "print", "--stack-depth", "128", "--events", "jdk.VirtualThreadPinned",
				recording.toString());
		List<String> events = events(pinned);
		List<String> perfkit = events.stream().filter(VirtualThreadPinningIntegrationTests::reachedThroughPerfkit).toList();
		System.out.printf("virtual threads started: %d, pinned events: %d, reached through perfkit: %d%n",
				count(summary, "jdk.VirtualThreadStart"), events.size(), perfkit.size());
		assertThat(perfkit).as("pinned events inside perfkit's code").isEmpty();
	}

	private static void load(SampleProcess sample, int rounds) throws Exception {
		ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
		try {
			List<Future<?>> calls = new ArrayList<>();
			for (int caller = 0; caller < CALLERS; caller++) {
				int id = caller;
				calls.add(callers.submit(() -> {
					for (int round = 0; round < rounds; round++) {
						String client = "198.51.100." + (id * rounds + round) % 250;
						assertThat(sample.get("/api/pricing").statusCode()).isEqualTo(200);
						assertThat(sample.get("/api/agents/agent-" + (round % 5) + "/statistics").statusCode())
							.isEqualTo(200);
						sample.post("/api/accounts/acct-" + id + "/credits?amount=1", "", client);
						assertThat(sample.post("/api/auth/login",
								"{\"email\":\"vt-" + id + "-" + round + "-" + rounds + "@example.com\",\"password\":\"x\"}", client)
							.statusCode()).isIn(401, 429);
						assertThat(sample.get("/api/agents").statusCode()).isEqualTo(200);
						if (round % 10 == 0) {
							assertThat(sample.get("/actuator/perfkit").statusCode()).isEqualTo(200);
						}
					}
					return null;
				}));
			}
			for (Future<?> call : calls) {
				call.get(5, TimeUnit.MINUTES);
			}
		}
		finally {
			callers.shutdownNow();
		}
	}

	private static String tool(Path javaHome, String tool, String... arguments) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(javaHome.resolve("bin").resolve(tool).toString());
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		return output;
	}

	private static final Pattern FRAME = Pattern.compile("(?m)^\\s+([\\w$.]+)\\.[\\w$<>]+\\(.*\\) line:");

	private static final List<String> PASSED_OVER = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.",
			"io.lettuce.", "io.netty.", "reactor.", "org.springframework.data.redis.", "com.github.benmanes.caffeine.",
			"tools.jackson.", "com.fasterxml.jackson.", "io.micrometer.", "com.zaxxer.hikari.", "net.ttddyy.",
			"io.github.bucket4j.");

	/**
	 * Whether the nearest application frame above the pinned operation is perfkit's.
	 * @param event one printed {@code jdk.VirtualThreadPinned} event
	 * @return {@code true} when perfkit's code reached the pin
	 */
	static boolean reachedThroughPerfkit(String event) {
		Matcher frames = FRAME.matcher(event);
		while (frames.find()) {
			String type = frames.group(1);
			if (PASSED_OVER.stream().noneMatch(type::startsWith)) {
				return type.startsWith("dev.perfkit.");
			}
		}
		return false;
	}

	static List<String> events(String printed) {
		List<String> events = new ArrayList<>();
		for (String part : printed.split("(?m)^jdk\\.VirtualThreadPinned \\{")) {
			if (!part.isBlank()) {
				events.add(part);
			}
		}
		return events;
	}

	static long count(String summary, String event) {
		Matcher matcher = Pattern.compile("(?m)^\\s*" + Pattern.quote(event) + "\\s+(\\d+)").matcher(summary);
		return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
	}

}
