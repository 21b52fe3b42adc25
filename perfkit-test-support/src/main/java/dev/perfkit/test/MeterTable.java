package dev.perfkit.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one meter table of a documentation page ({@code | meter | type | tags | meaning |}),
 * parsed for tests that keep it and the registered meters from drifting apart. Tag names
 * are the backticked words of the tags cell outside parentheses (those list values). A row
 * whose meaning contains {@value #ONLY} names the situation in which alone the meter is
 * registered (say, after a Redis outage); such a row is {@link Row#situational()}.
 */
public final class MeterTable {

	/** The words that mark a meter registered only in a named situation. */
	public static final String ONLY = "Registered only";

	private static final String HEADER = "| meter | type | tags | meaning |";

	private static final Pattern ROW = Pattern
		.compile("^\\| `(perfkit\\.[a-z0-9.-]+)` \\| (counter|timer|gauge) \\| ([^|]*) \\| ([^|]+) \\|$");

	private static final Pattern TAG = Pattern.compile("`([a-z]+)`");

	private MeterTable() {
	}

	/**
	 * Read the meter table of a page.
	 * @param page the Markdown file
	 * @return the rows by meter name
	 * @throws IOException if the page cannot be read
	 * @throws IllegalStateException if the page has no table, two tables, a duplicate or an
	 * unreadable row
	 */
	public static Map<String, Row> read(Path page) throws IOException {
		Map<String, Row> meters = new TreeMap<>();
		boolean inTable = false;
		boolean seen = false;
		for (String line : Files.readAllLines(page)) {
			if (line.equals(HEADER)) {
				check(!seen, "one meter table in " + page);
				inTable = true;
				seen = true;
				continue;
			}
			if (inTable && !line.startsWith("|")) {
				inTable = false;
			}
			if (!inTable || line.startsWith("| ---")) {
				continue;
			}
			Matcher row = ROW.matcher(line);
			check(row.matches(), "Unreadable row in the meter table of " + page + ": " + line);
			Set<String> tags = new TreeSet<>();
			Matcher tag = TAG.matcher(row.group(3).replaceAll("\\([^)]*\\)", ""));
			while (tag.find()) {
				tags.add(tag.group(1));
			}
			String meaning = row.group(4).trim();
			Row previous = meters.put(row.group(1),
					new Row(row.group(2), Collections.unmodifiableSet(tags), meaning, meaning.contains(ONLY)));
			check(previous == null, row.group(1) + " is listed once in " + page);
		}
		check(!meters.isEmpty(), "rows of the meter table in " + page);
		return meters;
	}

	private static void check(boolean condition, String message) {
		if (!condition) {
			throw new IllegalStateException(message);
		}
	}

	/**
	 * One row.
	 *
	 * @param type {@code counter}, {@code timer} or {@code gauge}
	 * @param tags the tag names
	 * @param meaning the meaning cell
	 * @param situational whether the meter is registered only in the situation its meaning
	 * names
	 */
	public record Row(String type, Set<String> tags, String meaning, boolean situational) {
	}

}
