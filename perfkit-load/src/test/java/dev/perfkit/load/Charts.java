package dev.perfkit.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The headline figures of a full run as two SVG bar charts in one HTML page each (requests
 * per second, and p95, per level, perfkit on beside off), for the script to photograph
 * with headless Chromium. Arguments: {@code on.csv}, {@code off.csv}, the output folder.
 */
public final class Charts {

	private Charts() {
	}

	public static void main(String[] args) throws Exception {
		List<String[]> on = all(Path.of(args[0]));
		List<String[]> off = all(Path.of(args[1]));
		Path out = Path.of(args[2]);
		Files.writeString(out.resolve("chart-throughput.html"),
				page("Requests per second, realistic mix, by concurrent users", on, off, 3, "req/s"));
		Files.writeString(out.resolve("chart-p95.html"),
				page("p95 latency (ms), realistic mix, by concurrent users", on, off, 5, "ms"));
	}

	private static List<String[]> all(Path csv) throws Exception {
		List<String[]> rows = new ArrayList<>();
		for (String line : Files.readAllLines(csv)) {
			String[] f = line.split(",");
			if (f.length > 1 && f[1].equals("all")) {
				rows.add(f);
			}
		}
		return rows;
	}

	private static String page(String title, List<String[]> on, List<String[]> off, int column, String unit) {
		double max = 1;
		for (List<String[]> rows : List.of(on, off)) {
			for (String[] row : rows) {
				max = Math.max(max, Double.parseDouble(row[column]));
			}
		}
		int width = 640;
		int height = 360;
		int base = 300;
		StringBuilder svg = new StringBuilder();
		svg.append(String.format(Locale.ROOT,
				"<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='13'>",
				width, height));
		svg.append("<rect width='100%' height='100%' fill='white'/>");
		svg.append(String.format(Locale.ROOT, "<text x='20' y='24' font-size='15' font-weight='bold'>%s</text>", title));
		int group = 0;
		for (int i = 0; i < on.size() && i < off.size(); i++) {
			double a = Double.parseDouble(on.get(i)[column]);
			double b = Double.parseDouble(off.get(i)[column]);
			int x = 60 + group * 190;
			bar(svg, x, base, 70, a / max * 200, "#2f6fb0", a, unit);
			bar(svg, x + 80, base, 70, b / max * 200, "#b0b0b0", b, unit);
			svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>%s users</text>", x + 40, base + 22,
					on.get(i)[0]));
			group++;
		}
		svg.append(String.format(Locale.ROOT, "<line x1='50' y1='%d' x2='%d' y2='%d' stroke='black'/>", base,
				width - 20, base));
		svg.append("<rect x='420' y='40' width='14' height='14' fill='#2f6fb0'/><text x='440' y='52'>perfkit on</text>");
		svg.append("<rect x='520' y='40' width='14' height='14' fill='#b0b0b0'/><text x='540' y='52'>perfkit off</text>");
		svg.append(String.format(Locale.ROOT,
				"<text x='20' y='%d' font-size='11' fill='#555'>Shared 2-core machine: compare on with off, not with other hosts.</text>",
				height - 12));
		svg.append("</svg>");
		return "<!doctype html><html><body style='margin:0;overflow:hidden'>" + svg + "</body></html>";
	}

	private static void bar(StringBuilder svg, int x, int base, int width, double height, String color, double value,
			String unit) {
		svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%.0f' width='%d' height='%.0f' fill='%s'/>", x,
				base - height, width, height, color));
		svg.append(String.format(Locale.ROOT, "<text x='%d' y='%.0f' text-anchor='middle'>%.0f %s</text>", x + width / 2,
				base - height - 6, value, unit));
	}

}
