package dev.perfkit.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds free loopback ports. Cluster nodes also need their bus port (port + 10000) free,
 * so candidates come from a range where that stays below 65536.
 */
final class FreePorts {

	private FreePorts() {
	}

	static int find(boolean withClusterBus) {
		for (int attempt = 0; attempt < 200; attempt++) {
			int port = ThreadLocalRandom.current().nextInt(20000, 30000);
			if (free(port) && (!withClusterBus || free(port + 10000))) {
				return port;
			}
		}
		throw new IllegalStateException("No free loopback port found");
	}

	private static boolean free(int port) {
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
