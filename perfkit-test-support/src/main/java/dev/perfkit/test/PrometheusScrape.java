package dev.perfkit.test;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed {@code /actuator/prometheus} scrape (Prometheus text format), for tests that
 * check what an application exports: series names, and the value of a series picked by
 * some of its labels.
 */
public final class PrometheusScrape {

	private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)( \\d+)?$");

	private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

	private final Map<String, Map<Map<String, String>, Double>> samples = new HashMap<>();

	private PrometheusScrape() {
	}

	/**
	 * Parse a scrape.
	 * @param body the text a scrape returned
	 * @return the samples
	 */
	public static PrometheusScrape parse(String body) {
		PrometheusScrape scrape = new PrometheusScrape();
		for (String line : body.split("\n")) {
			Matcher sample = SAMPLE.matcher(line);
			if (line.startsWith("#") || !sample.matches()) {
				continue;
			}
			Map<String, String> labels = new HashMap<>();
			Matcher label = LABEL.matcher((sample.group(3) != null) ? sample.group(3) : "");
			while (label.find()) {
				labels.put(label.group(1), label.group(2));
			}
			scrape.samples.computeIfAbsent(sample.group(1), (name) -> new HashMap<>())
				.put(labels, Double.parseDouble(sample.group(4)));
		}
		return scrape;
	}

	/**
	 * The names of every series in the scrape.
	 * @return the names
	 */
	public Set<String> names() {
		return this.samples.keySet();
	}

	/**
	 * The value of the one sample of a series whose labels include the given ones.
	 * @param name the series name
	 * @param labels label names and values, alternating
	 * @return the value
	 * @throws AssertionError when no sample or more than one matches
	 */
	public double value(String name, String... labels) {
		Map<String, String> wanted = labels(labels);
		return samples(name).entrySet()
			.stream()
			.filter((sample) -> sample.getKey().entrySet().containsAll(wanted.entrySet()))
			.mapToDouble(Map.Entry::getValue)
			.reduce((a, b) -> {
				throw new AssertionError("More than one sample of " + name + " with " + wanted);
			})
			.orElseThrow(() -> new AssertionError("No sample of " + name + " with " + wanted));
	}

	/**
	 * The sum of the samples of a series whose labels include the given ones; 0 when
	 * none matches.
	 * @param name the series name
	 * @param labels label names and values, alternating
	 * @return the sum
	 */
	public double sum(String name, String... labels) {
		Map<String, String> wanted = labels(labels);
		return this.samples.getOrDefault(name, Map.of())
			.entrySet()
			.stream()
			.filter((sample) -> sample.getKey().entrySet().containsAll(wanted.entrySet()))
			.mapToDouble(Map.Entry::getValue)
			.sum();
	}

	private Map<Map<String, String>, Double> samples(String name) {
		Map<Map<String, String>, Double> samples = this.samples.get(name);
		if (samples == null) {
			throw new AssertionError("No series " + name + " in the scrape");
		}
		return samples;
	}

	private static Map<String, String> labels(String... labels) {
		Map<String, String> wanted = new HashMap<>();
		for (int i = 0; i < labels.length; i += 2) {
			wanted.put(labels[i], labels[i + 1]);
		}
		return wanted;
	}

}
