package dev.perfkit.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;

import org.springframework.cache.Cache.ValueRetrievalException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hunts for a stale-if-error value served against the rules: three instances, racing
 * threads, keys that expire every few milliseconds, puts and evicts (serialized per key,
 * as the database's row lock would) and loaders that fail at random. Every read whose
 * loader threw and that still returned a value got it from Redis after the failure; that
 * value must be no older than the last put completed before the read began, and never one
 * from before an evict completed before the read began (the database's value when
 * the evict ran, or newer). The seed is printed; replay it
 * with {@code -Dperfkit.stale.seed=...}, and run longer with
 * {@code -Dperfkit.stale.operations=...}.
 */
class CacheStaleIfErrorCheckerIntegrationTests {

	@Test
	void aReadWhoseLoaderThrowsNeverReturnsAValueOlderThanTheLastCompletedWriteOrFromBeforeAnEvict()
			throws Exception {
		long seed = Long.getLong("perfkit.stale.seed", System.nanoTime());
		int operations = Integer.getInteger("perfkit.stale.operations", 1000);
		System.out.println("CacheStaleIfErrorChecker seed=" + seed + " operations=" + operations);
		try (CacheFixture fixture = CacheFixture.onTestRedis()) {
			CacheSettings settings = fixture.settings()
				// Entries must expire between writes for the stale path to run: short TTLs, few
				// writes per key.
				.withTtl(Duration.ofMillis(15), Duration.ofMillis(15))
				.withTtlJitter(0)
				.withFreshness(new Freshness(Duration.ofMinutes(10), 0));
			List<TwoTierCache> caches = List.of(fixture.instance(settings).cache("hunt"),
					fixture.instance(settings).cache("hunt"), fixture.instance(settings).cache("hunt"));
			String[] keys = { "a", "b", "c", "d", "e", "f" };
			Map<String, AtomicLong> versions = new ConcurrentHashMap<>();
			Map<String, Long> database = new ConcurrentHashMap<>();
			Map<String, long[]> floors = new ConcurrentHashMap<>();
			Map<String, ReentrantLock> rows = new ConcurrentHashMap<>();
			for (String key : keys) {
				versions.put(key, new AtomicLong());
				database.put(key, 0L);
				// [last completed put, last completed evict]
				floors.put(key, new long[] { -1, -1 });
				rows.put(key, new ReentrantLock());
			}
			List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
			AtomicLong staleServed = new AtomicLong();
			int threads = 6;
			ExecutorService pool = Executors.newFixedThreadPool(threads);
			try {
				List<Future<?>> done = new ArrayList<>();
				for (int t = 0; t < threads; t++) {
					Random random = new Random(seed + t);
					done.add(pool.submit(() -> {
						for (int i = 0; i < operations; i++) {
							String key = keys[random.nextInt(keys.length)];
							TwoTierCache cache = caches.get(random.nextInt(caches.size()));
							int op = random.nextInt(25);
							if (op < 1) {
								write(key, cache, versions, database, floors, rows, random.nextInt(4) == 0);
							}
							else {
								read(key, cache, database, floors, random.nextBoolean(), random.nextInt(1_000_000), violations,
										staleServed);
							}
						}
						return null;
					}));
				}
				for (Future<?> future : done) {
					future.get(5, TimeUnit.MINUTES);
				}
			}
			finally {
				pool.shutdownNow();
			}
			assertThat(violations).as("seed " + seed).isEmpty();
			// The hunt must have exercised the path it hunts in.
			System.out.println("CacheStaleIfErrorChecker seed=" + seed + " stale values served=" + staleServed.get());
			assertThat(staleServed.get()).as("stale values served, seed " + seed).isPositive();
		}
	}

	private static void write(String key, TwoTierCache cache, Map<String, AtomicLong> versions,
			Map<String, Long> database, Map<String, long[]> floors, Map<String, ReentrantLock> rows, boolean evict) {
		ReentrantLock row = rows.get(key);
		row.lock();
		try {
			long version = versions.get(key).incrementAndGet();
			database.put(key, version);
			if (evict) {
				cache.evict(key);
			}
			else {
				cache.put(key, version);
			}
			long[] floor = floors.get(key);
			synchronized (floor) {
				floor[evict ? 1 : 0] = version;
			}
		}
		finally {
			row.unlock();
		}
	}

	private static void read(String key, TwoTierCache cache, Map<String, Long> database, Map<String, long[]> floors,
			boolean failing, long latencyNanos, List<String> violations, AtomicLong staleServed) {
		long[] floor = floors.get(key);
		long lastPut;
		long lastEvict;
		synchronized (floor) {
			lastPut = floor[0];
			lastEvict = floor[1];
		}
		boolean[] called = { false };
		Object value;
		try {
			value = cache.get(key, () -> {
				called[0] = true;
				// The database's latency: the window in which writes and evicts race the load.
				java.util.concurrent.locks.LockSupport.parkNanos(latencyNanos);
				if (failing) {
					throw new IllegalStateException("database down");
				}
				return database.get(key);
			});
		}
		catch (ValueRetrievalException ex) {
			return;
		}
		if (!(called[0] && failing)) {
			return;
		}
		staleServed.incrementAndGet();
		long version = ((Number) value).longValue();
		// An evict of version n follows the database's update to n: a load after it reads n,
		// so n itself is a fine value; anything older is from before the evict.
		if (version < Math.max(lastPut, lastEvict)) {
			violations.add("key " + key + " served stale version " + version + " after put " + lastPut + " and evict "
					+ lastEvict + " completed");
		}
	}

}
