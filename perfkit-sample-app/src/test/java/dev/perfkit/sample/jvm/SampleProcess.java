package dev.perfkit.sample.jvm;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.perfkit.sample.SampleApplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample application started in a JVM of its own (a given {@code java}, JVM options
 * and arguments), as an operator would start it, on a free port. The class path is the
 * build's: {@code sample.classes} (which holds the AOT-generated classes after
 * {@code process-aot}) and {@code sample.runtime.classpath}, both set by the failsafe
 * configuration. Its output goes to a file under {@code target/}; {@link #close()} stops
 * the process and waits for it.
 */
final class SampleProcess implements AutoCloseable {

	private static final Duration STARTUP = Duration.ofSeconds(120);

	private final Process process;

	private final Path log;

	private final int port;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private SampleProcess(Process process, Path log, int port) {
		this.process = process;
		this.log = log;
		this.port = port;
	}

	static SampleProcess start(String name, Path java, List<String> jvmOptions, List<String> arguments)
			throws IOException {
		String classes = required("sample.classes");
		String dependencies = required("sample.runtime.classpath");
		int port = freePort();
		List<String> command = new ArrayList<>();
		command.add(java.toString());
		command.addAll(jvmOptions);
		command.add("-cp");
		command.add(classes + File.pathSeparator + dependencies);
		command.add(SampleApplication.class.getName());
		command.add("--server.port=" + port);
		command.addAll(arguments);
		Path log = Path.of("target", name + ".log");
		Files.createDirectories(log.getParent());
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		SampleProcess sample = new SampleProcess(process, log, port);
		try {
			await("the sample on port " + port).atMost(STARTUP).pollInterval(Duration.ofMillis(250))
				.ignoreExceptionsInstanceOf(IOException.class)
				.until(() -> {
				assertThat(process.isAlive()).as("the sample exited; see " + log.toAbsolutePath()).isTrue();
				return sample.get("/actuator/perfkit").statusCode() == 200;
			});
		}
		catch (RuntimeException | Error ex) {
			sample.close();
			throw ex;
		}
		return sample;
	}

	HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build());
	}

	HttpResponse<String> post(String path, String json, String clientAddress) throws IOException, InterruptedException {
		return send(HttpRequest.newBuilder(uri(path))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.header("X-Forwarded-For", clientAddress)
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build());
	}

	private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	long pid() {
		return this.process.pid();
	}

	String output() throws IOException {
		return Files.readString(this.log);
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	static Path javaOf(String javaHome) {
		return Path.of(javaHome, "bin", "java");
	}

	private static String required(String property) {
		String value = System.getProperty(property);
		assertThat(value).as("system property " + property + " (set by the failsafe configuration)").isNotBlank();
		return value;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
