package dev.perfkit.benchmarks.cache;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated per call by the calling thread, for each side of {@link CacheBenchmark}
 * separately (JMH's {@code -prof gc} sums both threads of a group). Allocation does not
 * depend on how busy the machine is, so it compares the two sides' work where the timings
 * of a shared machine cannot. Run with
 * {@code java -cp perfkit-benchmarks/target/benchmarks.jar dev.perfkit.benchmarks.cache.CacheAllocation}.
 */
public final class CacheAllocation {

	private CacheAllocation() {
	}

	/**
	 * Warm every call up once, then measure each.
	 * @param args ignored
	 */
	public static void main(String[] args) {
		CacheBenchmark benchmark = new CacheBenchmark();
		benchmark.start();
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
		String[] names = { "localHitCaffeineCacheManager", "localHitPerfkit", "remoteHitRedisCacheManager",
				"remoteHitPerfkit", "missAndLoadRedisCacheManager", "missAndLoadPerfkit" };
		Runnable[] calls = { benchmark::localHitCaffeineCacheManager, benchmark::localHitPerfkit,
				benchmark::remoteHitRedisCacheManager, benchmark::remoteHitPerfkit,
				benchmark::missAndLoadRedisCacheManager, benchmark::missAndLoadPerfkit };
		try {
			for (int round = 0; round < 2; round++) {
				for (int i = 0; i < calls.length; i++) {
					int count = names[i].startsWith("local") ? 200_000 : 3_000;
					long before = threads.getCurrentThreadAllocatedBytes();
					for (int call = 0; call < count; call++) {
						calls[i].run();
					}
					long bytes = threads.getCurrentThreadAllocatedBytes() - before;
					if (round == 1) {
						System.out.printf("%-30s %8.0f B/op%n", names[i], bytes / (double) count);
					}
				}
			}
		}
		finally {
			benchmark.stop();
		}
	}

}
