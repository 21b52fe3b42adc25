package dev.perfkit.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a server command under {@code sh}, which ends the server when the JVM that
 * started it is gone or a lifetime has passed. Shutdown hooks do not run on
 * {@code SIGKILL}; the watchdog does, because it is a separate process.
 */
final class Watchdog {

	private static final String SCRIPT = """
			"$@" &
			child=$!
			trap 'kill -9 $child 2>/dev/null; exit 0' TERM INT HUP
			deadline=$(( $(date +%s) + LIFETIME ))
			while kill -0 $child 2>/dev/null && kill -0 JVM 2>/dev/null && [ $(date +%s) -lt $deadline ]; do
			  sleep 1
			done
			kill -9 $child 2>/dev/null
			""";

	private Watchdog() {
	}

	static Process launch(List<String> command, Path dir, Duration lifetime) {
		String script = SCRIPT.replace("LIFETIME", String.valueOf(lifetime.toSeconds()))
			.replace("JVM", String.valueOf(ProcessHandle.current().pid()));
		List<String> args = new ArrayList<>(List.of("sh", "-c", script, "watchdog"));
		args.addAll(command);
		try {
			Process process = new ProcessBuilder(args).directory(dir.toFile())
				.redirectErrorStream(true)
				.redirectOutput(dir.resolve("watchdog.log").toFile())
				.start();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				process.descendants().forEach(ProcessHandle::destroyForcibly);
				process.destroyForcibly();
			}, "perfkit-test-watchdog-stop"));
			return process;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + command.get(0) + " (is it on the PATH?)", ex);
		}
	}

}
