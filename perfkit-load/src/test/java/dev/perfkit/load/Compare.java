package dev.perfkit.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side table of one full run: per level and endpoint, requests per second and
 * p95 with perfkit on and off, and their ratios. Arguments: the {@code on.csv} and
 * {@code off.csv} that {@link Verdict} wrote.
 */
public final class Compare {

	private Compare() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String[]> on = read(Path.of(args[0]));
		Map<String, String[]> off = read(Path.of(args[1]));
		StringBuilder out = new StringBuilder(
				"| users | endpoint | req/s on | req/s off | on/off | p95 ms on | p95 ms off | p99 ms on | p99 ms off |\n"
						+ "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
		on.forEach((key, a) -> {
			String[] b = off.get(key);
			if (b == null) {
				return;
			}
			double rpsOn = Double.parseDouble(a[3]);
			double rpsOff = Double.parseDouble(b[3]);
			String name = a[1].equals("all") ? "**all**" : a[1];
			out.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.2f | %s | %s | %s | %s |%n", a[0], name,
					rpsOn, rpsOff, (rpsOff > 0) ? rpsOn / rpsOff : Double.NaN, a[5], b[5], a[6], b[6]));
		});
		System.out.print(out);
	}

	private static Map<String, String[]> read(Path file) throws Exception {
		Map<String, String[]> rows = new LinkedHashMap<>();
		List<String> lines = Files.readAllLines(file);
		for (String line : lines.subList(1, lines.size())) {
			String[] f = line.split(",");
			rows.put(f[0] + "/" + f[1], f);
		}
		return rows;
	}

}
