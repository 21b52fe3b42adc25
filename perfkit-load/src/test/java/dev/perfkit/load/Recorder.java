package dev.perfkit.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every response of a run, as the load generator saw it: when it was sent and received,
 * its status and latency, the {@code X-Cache-Status} header and the keys it used. The
 * checks in {@link Verdict} count from these, never from perfkit's own meters.
 */
final class Recorder {

	private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();

	void record(Sample sample) {
		this.samples.add(sample);
	}

	void write(Path file) {
		List<Sample> all = new ArrayList<>(this.samples);
		try {
			Files.createDirectories(file.getParent());
			try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
				out.write(Sample.HEADER + "\n");
				for (Sample sample : all) {
					out.write(sample.toCsv() + "\n");
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * One response.
	 *
	 * @param sent epoch milliseconds before the request was handed to Gatling (never later
	 * than it left)
	 * @param received epoch milliseconds after the response was checked (never earlier than
	 * it arrived)
	 * @param endpoint the request's name
	 * @param status the HTTP status, {@code 0} when no response came (connection failed)
	 * @param millis Gatling's response time
	 * @param cache the {@code X-Cache-Status} header, or {@code -}
	 * @param key the client address of a login, the account of a credit change, else {@code -}
	 * @param key2 the e-mail of a login, else {@code -}
	 */
	record Sample(long sent, long received, String endpoint, int status, long millis, String cache, String key,
			String key2) {

		static final String HEADER = "sent,received,endpoint,status,millis,cache,key,key2";

		String toCsv() {
			return this.sent + "," + this.received + "," + this.endpoint + "," + this.status + "," + this.millis + ","
					+ this.cache + "," + this.key + "," + this.key2;
		}

		static Sample parse(String line) {
			String[] f = line.split(",", -1);
			return new Sample(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2], Integer.parseInt(f[3]),
					Long.parseLong(f[4]), f[5], f[6], f[7]);
		}

	}

}
