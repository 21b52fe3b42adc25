package dev.perfkit.autoconfigure.observability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless {@code chromium}, driven from the command line: no browser download,
 * no driver. A missing browser skips the test, except under {@code CI=true} where it fails.
 */
final class Chromium {

	private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");

	private final Path executable;

	private final Path workDirectory;

	private Chromium(Path executable, Path workDirectory) {
		this.executable = executable;
		this.workDirectory = workDirectory;
	}

	static Chromium find(Path workDirectory) throws IOException {
		Path executable = CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
		if (executable == null) {
			String reason = "chromium is not installed (apt-get install chromium)";
			if ("true".equalsIgnoreCase(System.getenv("CI"))) {
				Assertions.fail(reason);
			}
			Assumptions.abort(reason);
		}
		Files.createDirectories(workDirectory);
		return new Chromium(executable, workDirectory);
	}

	/**
	 * Load a page, let its timers and fetches run for the given virtual time, and return
	 * the DOM as it then stands.
	 */
	String dumpDom(String url, int virtualTimeMillis) throws IOException, InterruptedException {
		return run(List.of("--dump-dom", "--virtual-time-budget=" + virtualTimeMillis, url), "dom");
	}

	/**
	 * Load a page, let it run for the given virtual time, and save a screenshot.
	 */
	void screenshot(String url, Path file, int virtualTimeMillis) throws IOException, InterruptedException {
		Files.deleteIfExists(file);
		run(List.of("--screenshot=" + file.toAbsolutePath(), "--window-size=1400,1200", "--hide-scrollbars",
				"--virtual-time-budget=" + virtualTimeMillis, url), "screenshot");
		Assertions.assertTrue(Files.size(file) > 0, "the screenshot " + file + " is empty");
	}

	private String run(List<String> arguments, String name) throws IOException, InterruptedException {
		Path profile = Files.createTempDirectory(this.workDirectory, "profile-");
		Path out = this.workDirectory.resolve(name + ".out");
		Path err = this.workDirectory.resolve(name + ".err");
		List<String> command = new ArrayList<>(List.of(this.executable.toString(), "--headless", "--no-sandbox",
				"--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
				"--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
				"--user-data-dir=" + profile.toAbsolutePath()));
		command.addAll(arguments);
		Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
		try {
			if (!process.waitFor(90, TimeUnit.SECONDS)) {
				Assertions.fail("chromium did not finish within 90 s: " + Files.readString(err));
			}
		}
		finally {
			process.descendants().forEach(ProcessHandle::destroyForcibly);
			process.destroyForcibly();
		}
		Assertions.assertEquals(0, process.exitValue(), () -> "chromium failed: " + read(err));
		return Files.readString(out, StandardCharsets.UTF_8);
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			return ex.toString();
		}
	}

}
