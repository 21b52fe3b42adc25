package dev.perfkit.load;

import java.nio.file.Path;
import java.util.List;

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
 */
record LoadSettings(String baseUrl, Path out, int warmupSeconds, List<Integer> levels, int levelSeconds, boolean open,
		double openRate) {

	/** Seconds a level takes to ramp from the previous one; its samples are left out. */
	static final int RAMP_SECONDS = 3;

	static LoadSettings fromEnvironment() {
		return new LoadSettings(env("LOAD_BASE_URL", "http://127.0.0.1:18080"),
				Path.of(env("LOAD_OUT", "target/load")), Integer.parseInt(env("LOAD_WARMUP", "15")),
				List.of(env("LOAD_LEVELS", "50,100,200").split(",")).stream().map(String::trim).map(Integer::valueOf)
					.toList(),
				Integer.parseInt(env("LOAD_LEVEL_SECONDS", "30")), model(env("LOAD_MODEL", "closed")),
				Double.parseDouble(env("LOAD_OPEN_RATE", "1")));
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

	private static String env(String name, String fallback) {
		String value = System.getenv(name);
		return (value == null || value.isBlank()) ? fallback : value;
	}

}
