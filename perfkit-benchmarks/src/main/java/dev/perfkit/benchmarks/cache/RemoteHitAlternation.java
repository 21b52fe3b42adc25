package dev.perfkit.benchmarks.cache;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * The remote hit of perfkit, of {@code RedisCacheManager} and of a bare Lettuce
 * {@code GET}, measured in turns in one JVM: each round times a block of calls on each
 * side, in an order that alternates between rounds, then reports the paired per-round
 * ratios against {@code RedisCacheManager}. A remote hit is one round trip on every side
 * (about 85 µs here, most of it the kernel waking threads), and the machine's load drifts
 * by more than the sides differ; turns a fraction of a second long cancel that drift,
 * which JMH, running one benchmark after another or two at once in a group, cannot.
 * The sides are {@link CacheBenchmark}'s own, behind the same {@code @Cacheable} method.
 * <p>
 * Run: {@code java -cp perfkit-benchmarks/target/benchmarks.jar
 * dev.perfkit.benchmarks.cache.RemoteHitAlternation [rounds] [calls per turn]}
 * (60 and 4,000 by default; Redis as for {@link CacheBenchmark}).
 */
public final class RemoteHitAlternation {

	private static volatile Object sink;

	private RemoteHitAlternation() {
	}

	public static void main(String[] args) {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 60;
		int calls = (args.length > 1) ? Integer.parseInt(args[1]) : 4_000;
		CacheBenchmark benchmark = new CacheBenchmark();
		benchmark.start();
		try {
			Supplier<?>[] sides = { benchmark::remoteHitPerfkit, benchmark::remoteHitRedisCacheManager,
					benchmark::remoteHitAloneLettuceGet };
			for (int warmUp = 0; warmUp < 3; warmUp++) {
				for (Supplier<?> side : sides) {
					turn(side, calls);
				}
			}
			double[] perfkit = new double[rounds];
			double[] lettuce = new double[rounds];
			double[] stockMicros = new double[rounds];
			for (int round = 0; round < rounds; round++) {
				long[] nanos = new long[sides.length];
				for (int i = 0; i < sides.length; i++) {
					int side = (round % 2 == 0) ? i : sides.length - 1 - i;
					nanos[side] = turn(sides[side], calls);
				}
				perfkit[round] = (double) nanos[0] / nanos[1];
				lettuce[round] = (double) nanos[2] / nanos[1];
				stockMicros[round] = nanos[1] / 1_000.0 / calls;
			}
			System.out.printf(Locale.ROOT, "RedisCacheManager remote hit: %.1f µs per call (mean of %d turns of %d calls)%n",
					java.util.Arrays.stream(stockMicros).average().orElse(Double.NaN), rounds, calls);
			System.out.println(GroupRatios.describe("remote hit", "perfkit", "RedisCacheManager", perfkit));
			System.out.println(GroupRatios.describe("remote hit", "bare Lettuce GET", "RedisCacheManager", lettuce));
		}
		finally {
			benchmark.stop();
		}
	}

	private static long turn(Supplier<?> side, int calls) {
		long start = System.nanoTime();
		Object last = null;
		for (int i = 0; i < calls; i++) {
			last = side.get();
		}
		long elapsed = System.nanoTime() - start;
		sink = last;
		return elapsed;
	}

}
