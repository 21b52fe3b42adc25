package dev.perfkit.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on a loopback port to a target address, standing in for a server that can be
 * made to go away: {@link #close()} stops accepting and breaks every live connection at
 * once (a reset, not a graceful close), as a crashed server or a cut network would.
 * <p>
 * <b>Implementation note.</b> One platform daemon thread accepts; each relayed connection
 * uses two daemon threads, one per direction, which end when either side closes. The relay
 * is bounded: at most {@code maxConnections} live connections (more are refused by closing
 * them at once), and all threads end when it is closed. {@code close} races with accepts
 * and with connections closing on their own: a socket accepted after {@code close} began is
 * closed by the acceptor itself, and closing a socket twice is harmless, so every socket is
 * closed whoever wins.
 */
public final class TcpRelay implements AutoCloseable {

	private final InetSocketAddress target;

	private final int maxConnections;

	private final ServerSocket server;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private final AtomicInteger relayed = new AtomicInteger();

	private volatile boolean closed;

	private TcpRelay(InetSocketAddress target, int maxConnections) throws IOException {
		this.target = target;
		this.maxConnections = maxConnections;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "tcp-relay-accept-" + this.server.getLocalPort());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/**
	 * Start a relay from a free loopback port to the given host and port, relaying at most
	 * 32 connections at once.
	 * @param host the target host
	 * @param port the target port
	 * @return the running relay
	 */
	public static TcpRelay to(String host, int port) {
		return to(host, port, 32);
	}

	/**
	 * Start a relay from a free loopback port to the given host and port.
	 * @param host the target host
	 * @param port the target port
	 * @param maxConnections the most connections relayed at once
	 * @return the running relay
	 */
	public static TcpRelay to(String host, int port, int maxConnections) {
		try {
			return new TcpRelay(new InetSocketAddress(host, port), maxConnections);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Return the loopback port the relay listens on.
	 * @return the port
	 */
	public int port() {
		return this.server.getLocalPort();
	}

	/**
	 * Return how many connections were relayed since the relay started.
	 * @return the count
	 */
	public int relayedConnections() {
		return this.relayed.get();
	}

	/**
	 * Return how many connections are live now.
	 * @return the count of connections (each counted once, not per socket)
	 */
	public int liveConnections() {
		return this.sockets.size() / 2;
	}

	private void accept() {
		while (!this.closed) {
			Socket client;
			try {
				client = this.server.accept();
			}
			catch (IOException ex) {
				return; // closed
			}
			if (this.closed || this.sockets.size() / 2 >= this.maxConnections) {
				reset(client);
				continue;
			}
			Socket upstream = new Socket();
			try {
				upstream.connect(this.target, 5000);
			}
			catch (IOException ex) {
				reset(client);
				reset(upstream);
				continue;
			}
			this.sockets.add(client);
			this.sockets.add(upstream);
			this.relayed.incrementAndGet();
			pump(client, upstream, "up");
			pump(upstream, client, "down");
			if (this.closed) {
				reset(client);
				reset(upstream);
			}
		}
	}

	private void pump(Socket from, Socket to, String direction) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16384];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) >= 0) {
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// The other direction or close() broke the connection.
			}
			finally {
				reset(from);
				reset(to);
			}
		}, "tcp-relay-" + direction + "-" + from.getPort());
		thread.setDaemon(true);
		thread.start();
	}

	private void reset(Socket socket) {
		this.sockets.remove(socket);
		try {
			if (!socket.isClosed() && socket.isConnected()) {
				// A reset, as from a crashed server, rather than an orderly end of stream.
				socket.setSoLinger(true, 0);
			}
		}
		catch (SocketException ex) {
			// Already closed.
		}
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Nothing left to do.
		}
	}

	/**
	 * Stop accepting connections and break every live one.
	 */
	@Override
	public void close() {
		this.closed = true;
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// Nothing left to do.
		}
		for (Socket socket : this.sockets) {
			reset(socket);
		}
	}

}
