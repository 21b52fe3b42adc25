package dev.perfkit.test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.awaitility.Awaitility;

/**
 * A {@code redis-server} process of a test's own, on a free loopback port, that the test
 * may {@link #kill() kill} and {@link #restart() restart} on the same port.
 * <p>
 * Each server runs under a small shell watchdog that ends it when this JVM goes away
 * (even by {@code SIGKILL}) or when its lifetime runs out, so a failed or interrupted test
 * never leaves a server behind. {@link #close()} stops it at once.
 */
public final class RedisProcess implements AutoCloseable {

	/** How long any one server may live, whatever happens to the test. */
	static final Duration MAX_LIFETIME = Duration.ofMinutes(30);

	private final int port;

	private final List<String> extraArgs;

	private final Path dir;

	private final String configFile;

	private Process watchdog;

	private RedisProcess(int port, List<String> extraArgs, Path dir, String configFile) {
		this.port = port;
		this.extraArgs = extraArgs;
		this.dir = dir;
		this.configFile = configFile;
	}

	/**
	 * Start a standalone server on a free port.
	 * @param extraArgs further {@code redis-server} arguments, such as
	 * {@code "--maxmemory", "10mb"}
	 * @return the running server
	 */
	public static RedisProcess start(String... extraArgs) {
		return start(FreePorts.find(false), List.of(extraArgs));
	}

	static RedisProcess start(int port, List<String> extraArgs) {
		return start(port, extraArgs, null);
	}

	/**
	 * Start a server whose configuration starts from a file written into its own
	 * directory (Sentinel rewrites its file, so it must be writable and its own).
	 */
	static RedisProcess start(int port, List<String> extraArgs, String configText) {
		try {
			Path dir = Files.createTempDirectory("perfkit-redis-" + port + "-");
			String configFile = null;
			if (configText != null) {
				Path config = dir.resolve("redis.conf");
				Files.writeString(config, configText);
				configFile = config.toString();
			}
			RedisProcess process = new RedisProcess(port, extraArgs, dir, configFile);
			process.launch();
			return process;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Return the port the server listens on.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Return this server as an endpoint.
	 * @return the endpoint
	 */
	public RedisEndpoint endpoint() {
		return new RedisEndpoint("127.0.0.1", this.port);
	}

	/**
	 * Return whether the server answers {@code PING}.
	 * @return whether it is up
	 */
	public boolean isRunning() {
		try {
			return "PONG".equals(Resp.call("127.0.0.1", this.port, "PING"));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * Kill the server with {@code SIGKILL}, as a crash would, and wait until the port is
	 * closed. Its data is lost: it never persists anything.
	 */
	public synchronized void kill() {
		if (this.watchdog != null) {
			this.watchdog.descendants().forEach(ProcessHandle::destroyForcibly);
			this.watchdog.destroyForcibly();
			this.watchdog = null;
		}
		Awaitility.await("redis on port " + this.port + " to stop")
			.atMost(Duration.ofSeconds(10))
			.until(() -> !ServiceLocator.reachable("127.0.0.1", this.port));
	}

	/**
	 * Start the server again on the same port, empty.
	 */
	public synchronized void restart() {
		kill();
		launch();
	}

	@Override
	public synchronized void close() {
		kill();
		deleteRecursively(this.dir.toFile());
	}

	private synchronized void launch() {
		List<String> redis = new ArrayList<>(List.of("redis-server"));
		if (this.configFile != null) {
			redis.add(this.configFile);
		}
		redis.addAll(List.of("--port", String.valueOf(this.port), "--bind",
				"127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir",
				this.dir.toString(), "--logfile", this.dir.resolve("redis.log").toString()));
		redis.addAll(this.extraArgs);
		this.watchdog = Watchdog.launch(redis, this.dir, MAX_LIFETIME);
		Awaitility.await("redis on port " + this.port + " to start")
			.atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(50))
			.until(this::isRunning);
	}

	static void deleteRecursively(File file) {
		File[] children = file.listFiles();
		if (children != null) {
			for (File child : children) {
				deleteRecursively(child);
			}
		}
		file.delete();
	}

}
