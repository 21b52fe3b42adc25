package dev.perfkit.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a rate-limited request's CPU goes, from a JFR recording of an instance under wrk:
 * the share of CPU samples whose stack passes through each layer (inclusive, so shares add
 * up to more than 100%), and the share whose top frame is in it (self time). Also the time
 * threads spent parked, by thread kind: request threads waiting for Redis replies are the
 * hand-off from Tomcat to Lettuce's event loop and back.
 */
public final class JfrBreakdown {

	/** Layers, by frame prefix; the first match names a frame's layer. */
	private static final Map<String, List<String>> LAYERS = new LinkedHashMap<>();

	static {
		LAYERS.put("Boot's Lettuce observation (Micrometer)",
				List.of("io.micrometer.observation", "io.micrometer.core.instrument.observation",
						"io.lettuce.core.tracing", "io.lettuce.core.metrics",
						"org.springframework.boot.data.redis.autoconfigure.observation"));
		LAYERS.put("Lettuce (commands, codec, futures)", List.of("io.lettuce"));
		LAYERS.put("Netty (event loop, socket I/O)", List.of("io.netty"));
		LAYERS.put("perfkit rate limiter and connector", List.of("dev.perfkit.ratelimit", "dev.perfkit.redis",
				"dev.perfkit.autoconfigure.ratelimit"));
		LAYERS.put("other perfkit", List.of("dev.perfkit"));
		LAYERS.put("Micrometer (other meters)", List.of("io.micrometer"));
		LAYERS.put("Tomcat (HTTP, connector threads)", List.of("org.apache.tomcat", "org.apache.coyote",
				"org.apache.catalina"));
		LAYERS.put("Spring MVC and the rest of Spring", List.of("org.springframework"));
		LAYERS.put("Jackson", List.of("tools.jackson", "com.fasterxml"));
		LAYERS.put("JDK and other", List.of(""));
	}

	private JfrBreakdown() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, Integer> inclusive = new LinkedHashMap<>();
		Map<String, Integer> self = new LinkedHashMap<>();
		LAYERS.keySet().forEach(layer -> {
			inclusive.put(layer, 0);
			self.put(layer, 0);
		});
		Map<String, Duration> parked = new TreeMap<>();
		int samples = 0;
		for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
			String type = event.getEventType().getName();
			if (type.equals("jdk.ExecutionSample")) {
				RecordedStackTrace stack = event.getStackTrace();
				if (stack == null || stack.getFrames().isEmpty()) {
					continue;
				}
				samples++;
				List<RecordedFrame> frames = stack.getFrames();
				self.merge(layer(frames.get(0)), 1, Integer::sum);
				frames.stream().map(JfrBreakdown::layer).distinct().forEach(layer -> inclusive.merge(layer, 1, Integer::sum));
			}
			else if (type.equals("jdk.ThreadPark") && event.getThread("eventThread") != null) {
				String thread = event.getThread("eventThread").getJavaName();
				parked.merge(kind(thread), event.getDuration(), Duration::plus);
			}
		}
		System.out.printf(Locale.ROOT, "%d CPU samples%n%n| layer | on the stack | top frame |%n| --- | ---: | ---: |%n",
				samples);
		for (String layer : LAYERS.keySet()) {
			System.out.printf(Locale.ROOT, "| %s | %.1f%% | %.1f%% |%n", layer, 100.0 * inclusive.get(layer) / samples,
					100.0 * self.get(layer) / samples);
		}
		System.out.printf(Locale.ROOT, "%n| threads | parked (s, summed over threads, parks over 10 ms only) |%n| --- | ---: |%n");
		parked.forEach((kind, duration) -> System.out.printf(Locale.ROOT, "| %s | %.1f |%n", kind,
				duration.toMillis() / 1000.0));
	}

	private static String layer(RecordedFrame frame) {
		String type = (frame.getMethod() != null) ? frame.getMethod().getType().getName() : "";
		for (Map.Entry<String, List<String>> entry : LAYERS.entrySet()) {
			for (String prefix : entry.getValue()) {
				if (type.startsWith(prefix)) {
					return entry.getKey();
				}
			}
		}
		return "JDK and other";
	}

	private static String kind(String thread) {
		if (thread == null) {
			return "other";
		}
		if (thread.startsWith("http-nio")) {
			return "Tomcat request threads";
		}
		if (thread.startsWith("lettuce") || thread.contains("EventLoop") || thread.contains("eventLoop")) {
			return "Lettuce/Netty event loops";
		}
		return "other";
	}

}
