package dev.perfkit.load;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code perfkit-load/run} tells a simulation, through environment variables (the
 * Gatling plugin forks the simulation's JVM, which inherits the environment).
 *
 * @param baseUrl nginx in front of the instances ({@code LOAD_BASE_URL})
 * @param out where samples and the start marker go ({@code LOAD_OUT})
 * @param warmupSeconds a warm-up at the first level, left out of the tables
 * ({@code LOAD_WARMUP})
 * @param levels the concurrent users of each level ({@code LOAD_LEVELS}, such as
 * {@code 50,100,200})
 * @param levelSeconds how long each level lasts, its ramp included ({@code LOAD_LEVEL_SECONDS})
 * @param open whether arrivals follow the open model ({@code LOAD_MODEL=open}) instead of a
 * closed population of looping users ({@code closed}, the default)
 * @param openRate in the open model, new users per second per user of a level
 * ({@code LOAD_OPEN_RATE}, default 1)
 * @param targets what the mix is sent to: one target ({@code baseUrl}, {@code out}, run id
 * {@code LOAD_RUN_ID}), or with {@code LOAD_TARGETS} several at once, each driven by the
 * same mix at the same time (see {@link #targets(String, String, Path, String)})
 */
record LoadSettings(String baseUrl, Path out, int warmupSeconds, List<Integer> levels, int levelSeconds, boolean open,
		double openRate, List<Target> targets) {

	/** Seconds a level takes to ramp from the previous one; its samples are left out. */
	static final int RAMP_SECONDS = 3;

	static LoadSettings fromEnvironment() {
		String baseUrl = env("LOAD_BASE_URL", "http://127.0.0.1:18080");
		Path out = Path.of(env("LOAD_OUT", "target/load"));
		return new LoadSettings(baseUrl, out, Integer.parseInt(env("LOAD_WARMUP", "15")),
				List.of(env("LOAD_LEVELS", "50,100,200").split(",")).stream().map(String::trim).map(Integer::valueOf)
					.toList(),
				Integer.parseInt(env("LOAD_LEVEL_SECONDS", "30")), model(env("LOAD_MODEL", "closed")),
				Double.parseDouble(env("LOAD_OPEN_RATE", "1")),
				targets(env("LOAD_TARGETS", ""), baseUrl, out, env("LOAD_RUN_ID", "local")));
	}

	/**
	 * The targets of a run. Without a specification ({@code LOAD_TARGETS} unset) one target,
	 * unlabelled: {@code baseUrl}, samples to {@code out}, accounts named after the run id.
	 * With one, such as {@code on=http://127.0.0.1:18080,off=http://127.0.0.1:18085}, one
	 * target per {@code label=url}: samples to {@code out/label}, accounts named after
	 * {@code runId-label}, so that no side writes an account another side reads (a side
	 * with perfkit off would change balances behind perfkit's cache).
	 * @param specification comma-separated {@code label=url}, or blank
	 * @param baseUrl the single target's URL
	 * @param out the single target's folder, or the parent of each labelled one
	 * @param runId the run's id
	 * @return the targets, in the specification's order
	 * @throws IllegalArgumentException for an entry without a label or URL, a label that is
	 * not a plain word, or a label given twice
	 */
	static List<Target> targets(String specification, String baseUrl, Path out, String runId) {
		if (specification.isBlank()) {
			return List.of(new Target("", baseUrl, out, runId));
		}
		List<Target> targets = new ArrayList<>();
		Set<String> labels = new LinkedHashSet<>();
		for (String entry : specification.split(",")) {
			int equals = entry.indexOf('=');
			String label = (equals > 0) ? entry.substring(0, equals).trim() : "";
			String url = (equals > 0) ? entry.substring(equals + 1).trim() : "";
			if (!label.matches("[A-Za-z0-9_-]+") || url.isEmpty()) {
				throw new IllegalArgumentException(
						"LOAD_TARGETS must be label=url[,label=url...] with plain-word labels, was '" + specification + "'");
			}
			if (!labels.add(label)) {
				throw new IllegalArgumentException("LOAD_TARGETS names " + label + " twice: '" + specification + "'");
			}
			targets.add(new Target(label, url, out.resolve(label), runId + "-" + label));
		}
		return List.copyOf(targets);
	}

	private static boolean model(String model) {
		return switch (model) {
			case "open" -> true;
			case "closed" -> false;
			default -> throw new IllegalArgumentException("LOAD_MODEL must be open or closed, was " + model);
		};
	}

	int totalSeconds() {
		return this.warmupSeconds + this.levels.size() * this.levelSeconds;
	}

	/**
	 * The level a request started at {@code elapsedMillis} after the start belongs to:
	 * its number of users, or {@code 0} in the warm-up, in a ramp, or after the end.
	 */
	int levelAt(long elapsedMillis) {
		long t = elapsedMillis - this.warmupSeconds * 1000L;
		if (t < 0) {
			return 0;
		}
		int index = (int) (t / (this.levelSeconds * 1000L));
		if (index >= this.levels.size() || t % (this.levelSeconds * 1000L) < RAMP_SECONDS * 1000L) {
			return 0;
		}
		return this.levels.get(index);
	}

	/**
	 * One side the mix is sent to.
	 *
	 * @param label its name ({@code on}, {@code off}), blank for the only target
	 * @param baseUrl nginx in front of its instances
	 * @param out where its samples and start marker go
	 * @param runId the run id its account names carry
	 */
	record Target(String label, String baseUrl, Path out, String runId) {

	}

	private static String env(String name, String fallback) {
		String value = System.getenv(name);
		return (value == null || value.isBlank()) ? fallback : value;
	}

}
