package dev.perfkit.test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server started by a JVM that dies by {@code SIGKILL} (no shutdown hooks) is still
 * stopped, by its watchdog.
 */
class RedisProcessWatchdogIntegrationTests {

	@Test
	void serverStopsWhenItsJvmIsKilled() throws Exception {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
				StartRedisAndWait.class.getName())
			.redirectErrorStream(true)
			.start();
		try {
			BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
			String line;
			int port = -1;
			while ((line = out.readLine()) != null) {
				if (line.startsWith("PORT ")) {
					port = Integer.parseInt(line.substring(5).trim());
					break;
				}
			}
			assertThat(port).as("port printed by the child JVM").isPositive();
			int started = port;
			assertThat(ServiceLocator.reachable("127.0.0.1", started)).isTrue();

			child.destroyForcibly();
			assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();

			await("watchdog to stop the orphaned server").atMost(Duration.ofSeconds(15))
				.until(() -> !ServiceLocator.reachable("127.0.0.1", started));
		}
		finally {
			child.destroyForcibly();
		}
	}

	/**
	 * The child JVM: starts a server, prints its port, then waits to be killed.
	 */
	static final class StartRedisAndWait {

		public static void main(String[] args) throws Exception {
			RedisProcess redis = RedisProcess.start();
			System.out.println("PORT " + redis.port());
			System.out.flush();
			new java.util.concurrent.CountDownLatch(1).await(5, TimeUnit.MINUTES);
		}

	}

}
