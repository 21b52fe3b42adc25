package dev.perfkit.test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Locale;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;

/**
 * Decides where a real service comes from, in this order: an explicit host and port
 * (system property, then environment variable), a Testcontainers container when a Docker
 * engine answers, the local server on its standard port. A service that cannot be reached
 * fails the test under {@code CI=true} and skips it elsewhere, with the reason.
 */
final class ServiceLocator {

	private static volatile Boolean dockerAvailable;

	private ServiceLocator() {
	}

	/**
	 * Look a setting up as a system property ({@code perfkit.test.redis.host}) and then as
	 * an environment variable ({@code PERFKIT_TEST_REDIS_HOST}).
	 */
	static String setting(String name) {
		String value = System.getProperty(name);
		if (value == null || value.isBlank()) {
			value = System.getenv(name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
		}
		return (value == null || value.isBlank()) ? null : value.trim();
	}

	static boolean isCi() {
		return "true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("perfkit.test.ci");
	}

	static boolean dockerAvailable() {
		if ("false".equalsIgnoreCase(setting("perfkit.test.docker"))) {
			return false;
		}
		Boolean available = dockerAvailable;
		if (available == null) {
			try {
				available = DockerClientFactory.instance().isDockerAvailable();
			}
			catch (Throwable ex) {
				available = false;
			}
			dockerAvailable = available;
		}
		return available;
	}

	static boolean reachable(String host, int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 1000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Fail (on CI) or skip (elsewhere) because a service is missing.
	 */
	static RuntimeException unavailable(String service, String where, String hint) {
		String message = service + " is not reachable at " + where + ". " + hint;
		if (isCi()) {
			throw new IllegalStateException("CI=true requires " + message);
		}
		Assumptions.abort(message);
		return new IllegalStateException(message);
	}

}
