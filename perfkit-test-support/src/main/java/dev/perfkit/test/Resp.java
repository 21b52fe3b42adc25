package dev.perfkit.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RESP2 client for test plumbing: probing, {@code CLUSTER INFO},
 * {@code INFO commandstats}, {@code CLIENT KILL}, writing raw bytes. Test code talks to
 * Redis the way an operator would, without the client library under test.
 */
public final class Resp {

	private Resp() {
	}

	/**
	 * Send one command on a fresh connection and return its reply: a {@code String} for
	 * simple and bulk strings, a {@code Long} for integers, a {@code List} for arrays,
	 * {@code null} for a nil reply.
	 * @param host the host
	 * @param port the port
	 * @param args the command and its arguments
	 * @return the reply
	 * @throws RespError when Redis answers with an error
	 */
	public static Object call(String host, int port, String... args) {
		byte[][] raw = new byte[args.length][];
		for (int i = 0; i < args.length; i++) {
			raw[i] = args[i].getBytes(StandardCharsets.UTF_8);
		}
		return callRaw(host, port, raw);
	}

	/**
	 * Like {@link #call(String, int, String...)}, with binary arguments.
	 * @param host the host
	 * @param port the port
	 * @param args the command and its arguments
	 * @return the reply
	 */
	public static Object callRaw(String host, int port, byte[]... args) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 2000);
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			ByteArrayOutputStream request = new ByteArrayOutputStream();
			request.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
			for (byte[] arg : args) {
				request.write(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
				request.write(arg);
				request.write("\r\n".getBytes(StandardCharsets.US_ASCII));
			}
			out.write(request.toByteArray());
			out.flush();
			return read(new BufferedInputStream(socket.getInputStream()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Redis at " + host + ":" + port + " did not answer", ex);
		}
	}

	private static Object read(InputStream in) throws IOException {
		int type = in.read();
		String line = readLine(in);
		switch (type) {
			case '+':
				return line;
			case '-':
				throw new RespError(line);
			case ':':
				return Long.parseLong(line);
			case '$': {
				int length = Integer.parseInt(line);
				if (length < 0) {
					return null;
				}
				byte[] data = in.readNBytes(length);
				in.readNBytes(2);
				return new String(data, StandardCharsets.UTF_8);
			}
			case '*': {
				int count = Integer.parseInt(line);
				if (count < 0) {
					return null;
				}
				List<Object> items = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					items.add(read(in));
				}
				return items;
			}
			default:
				throw new IOException("Unexpected RESP type '" + (char) type + "'");
		}
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int b;
		while ((b = in.read()) != '\r') {
			if (b < 0) {
				throw new IOException("Connection closed");
			}
			line.write(b);
		}
		in.read();
		return line.toString(StandardCharsets.UTF_8);
	}

	/**
	 * An error reply from Redis.
	 */
	public static final class RespError extends RuntimeException {

		RespError(String message) {
			super(message);
		}

	}

}
