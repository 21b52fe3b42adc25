package dev.perfkit.benchmarks.cache;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Paired ratios of a JMH group's two members, from a JSON result ({@code -rf json}): for
 * each measurement iteration, perfkit's score over the stock side's (both measured
 * during the same second), then the mean of those ratios with a 95% confidence interval
 * and the median. Pairing cancels what the machine's load does to both sides alike,
 * which is most of the noise on a shared machine.
 * <p>
 * Run: {@code java -cp perfkit-benchmarks/target/benchmarks.jar
 * dev.perfkit.benchmarks.cache.GroupRatios result.json}
 */
public final class GroupRatios {

	private GroupRatios() {
	}

	public static void main(String[] args) throws IOException {
		ObjectMapper json = JsonMapper.builder().build();
		JsonNode results = json.readTree(Path.of(args[0]).toFile());
		for (JsonNode result : results) {
			List<Map.Entry<String, JsonNode>> members = new ArrayList<>(result.get("secondaryMetrics").properties());
			members.removeIf((member) -> !member.getValue().has("rawData"));
			if (members.size() != 2) {
				continue;
			}
			// perfkit over the stock alternative, whichever name sorts first.
			members.sort(Comparator.comparing((member) -> !member.getKey().toLowerCase(Locale.ROOT).contains("perfkit")));
			double[] first = flatten(members.get(0).getValue().get("rawData"));
			double[] second = flatten(members.get(1).getValue().get("rawData"));
			double[] ratios = new double[Math.min(first.length, second.length)];
			for (int i = 0; i < ratios.length; i++) {
				ratios[i] = first[i] / second[i];
			}
			System.out.println(describe(result.get("benchmark").asString(), members.get(0).getKey(),
					members.get(1).getKey(), ratios));
		}
	}

	public static String describe(String benchmark, String first, String second, double[] ratios) {
		double mean = Arrays.stream(ratios).average().orElse(Double.NaN);
		double variance = Arrays.stream(ratios).map((r) -> (r - mean) * (r - mean)).sum() / (ratios.length - 1);
		double halfWidth = 1.96 * Math.sqrt(variance / ratios.length);
		double[] sorted = ratios.clone();
		Arrays.sort(sorted);
		double median = (sorted.length % 2 == 1) ? sorted[sorted.length / 2]
				: (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
		return String.format(Locale.ROOT, "%s: %s / %s over %d paired measurements: mean %.3f (95%% CI %.3f to %.3f), median %.3f",
				benchmark, first, second, ratios.length, mean, mean - halfWidth, mean + halfWidth, median);
	}

	private static double[] flatten(JsonNode forks) {
		List<Double> scores = new ArrayList<>();
		for (JsonNode fork : forks) {
			for (JsonNode score : fork) {
				scores.add(score.asDouble());
			}
		}
		return scores.stream().mapToDouble(Double::doubleValue).toArray();
	}

}
