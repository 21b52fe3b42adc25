package dev.perfkit.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds free loopback ports. Cluster nodes also need their bus port (port + 10000) free,
 * so candidates come from a range where that stays below 65536.
 * <p>
 * {@code PERFKIT_TEST_REDIS_PORTS} (an environment variable or system property, such as
 * {@code 6431-6439}) confines the servers tests start to a range of their own, for a
 * machine shared by several builds; by default any free port from 20000 to 29999 is used.
 */
final class FreePorts {

	static final String RANGE = "PERFKIT_TEST_REDIS_PORTS";

	private FreePorts() {
	}

	static int find(boolean withClusterBus) {
		int[] range = range();
		for (int attempt = 0; attempt < 200; attempt++) {
			int port = ThreadLocalRandom.current().nextInt(range[0], range[1] + 1);
			if (free(port) && (!withClusterBus || free(port + 10000))) {
				return port;
			}
		}
		throw new IllegalStateException("No free loopback port found in " + range[0] + "-" + range[1]);
	}

	static int[] range() {
		String configured = System.getProperty(RANGE, System.getenv(RANGE));
		if (configured == null || configured.isBlank()) {
			return new int[] { 20000, 29999 };
		}
		String[] bounds = configured.trim().split("-");
		try {
			int low = Integer.parseInt(bounds[0].trim());
			int high = (bounds.length > 1) ? Integer.parseInt(bounds[1].trim()) : low;
			if (bounds.length > 2 || low < 1 || high < low || high > 55535) {
				throw new NumberFormatException();
			}
			return new int[] { low, high };
		}
		catch (NumberFormatException ex) {
			throw new IllegalStateException(
					RANGE + " must be a port range such as 6431-6439 (at most 55535), not '" + configured + "'");
		}
	}

	private static boolean free(int port) {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
