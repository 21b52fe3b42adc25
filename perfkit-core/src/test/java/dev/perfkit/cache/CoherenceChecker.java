package dev.perfkit.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import org.awaitility.core.ConditionTimeoutException;

import org.springframework.cache.Cache;

import static org.awaitility.Awaitility.await;

/**
 * A randomized multi-instance coherence checker: several cache instances over one shared
 * store and one database of record, racing readers and writers on a few hot keys, with
 * optional faults, and after each round a check of what every instance returns against
 * the database.
 * <p>
 * Per round, each writer thread owns a disjoint set of keys (one writer per key, as an
 * application serializes the writes of one row) and repeatedly changes the database, then
 * tells the cache: evict, put the new value, a batch put, a pattern eviction or a clear,
 * each through a randomly chosen instance. Reader threads on every instance read the keys
 * through every read path (load with {@code get(key, Callable)}, Spring's
 * {@code @Cacheable} pattern of {@code get} then {@code put}, async {@code retrieve},
 * batch reads, plain reads); loaders read the database and then take a random delay, so
 * their value is often overtaken by a write. After the writers finish, the readers stop,
 * the target settles (for perfkit: every message delivered, nothing left to reconcile),
 * and every instance must return the database's value or nothing for every key.
 * <p>
 * Everything the threads choose comes from the seed (per round {@code seed + round}); the
 * interleaving is the scheduler's, so a failing seed reproduces the same operations and
 * faults, and usually the failure.
 */
final class CoherenceChecker {

	static final Duration SETTLE_BOUND = Duration.ofSeconds(30);

	private static final int KEYS = 6;

	private static final int WRITERS = 3;

	private static final int READERS_PER_INSTANCE = 2;

	/**
	 * The caches under test, one per instance, and how to tell they settled.
	 */
	interface Target extends AutoCloseable {

		String name();

		List<Cache> caches();

		/** Whether every instance heard every change (perfkit's channel); stock: true. */
		boolean settled();

		/** What {@link #settled()} last waited for, for the failure message. */
		default String unsettled() {
			return "";
		}

		/** How long the instances may take to settle after a round. */
		default Duration settleBound() {
			return SETTLE_BOUND;
		}

		/** Whether Redis holds a value other than the expected one for the key, if it can tell. */
		default boolean staleInStore(String key, String expected) {
			return false;
		}

		/** Inject the fault numbered {@code which} (0 or more), if the target supports it. */
		default void fault(int which, Random random) {
		}

		default int faults() {
			return 0;
		}

		/**
		 * Whether the target can change its shared store directly, as another service or
		 * {@code redis-cli} would, without telling the cache.
		 */
		default boolean rawWrites() {
			return false;
		}

		/**
		 * Write a value straight into the shared store (or delete the key when
		 * {@code value} is {@code null}), expiring after {@code pxMillis}; return only once
		 * the store applied it.
		 */
		default void rawWrite(String key, String value, long pxMillis) {
			throw new UnsupportedOperationException();
		}

		/**
		 * Whether to poll, for a bounded time, for stale values to go away after the round
		 * (for targets with nothing that tells when they settled).
		 */
		default boolean pollForStaleness() {
			return false;
		}

	}

	/**
	 * What a run found.
	 * @param rounds rounds run
	 * @param staleReads (instance, key) pairs that returned a value the database no longer held
	 * @param staleInStore keys whose shared store entry was stale
	 * @param errors operations that threw
	 * @param operations operations done
	 * @param faults faults injected
	 * @param failures a line per stale round, for the report
	 */
	record Result(int rounds, long staleReads, long staleInStore, long errors, long operations, long faults,
			List<String> failures) {

		@Override
		public String toString() {
			return "rounds=" + this.rounds + " staleReads=" + this.staleReads + " staleInStore=" + this.staleInStore
					+ " errors=" + this.errors + " operations=" + this.operations + " faults=" + this.faults;
		}

	}

	private final Target target;

	private final Map<String, AtomicLong> database = new ConcurrentHashMap<>();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private final int writerOps;

	private final boolean faults;

	private final boolean rawWrites;

	private final AtomicLong errors = new AtomicLong();

	private final AtomicLong operations = new AtomicLong();

	private final AtomicLong faultCount = new AtomicLong();

	private volatile Throwable firstError;

	CoherenceChecker(Target target, int writerOps, boolean faults) {
		this(target, writerOps, faults, false);
	}

	/**
	 * A checker whose writers, with {@code rawWrites}, also change keys in the shared store
	 * directly (a {@code SET} of the new value, a {@code DEL}, or a {@code SET} with a TTL of
	 * a few milliseconds so the key expires in Redis), after changing the database, as
	 * another service writing through would; the cache hears of these only from the store.
	 */
	CoherenceChecker(Target target, int writerOps, boolean faults, boolean rawWrites) {
		this.target = target;
		this.writerOps = writerOps;
		this.faults = faults;
		this.rawWrites = rawWrites && target.rawWrites();
		for (int i = 0; i < KEYS; i++) {
			this.database.put(key(i), new AtomicLong());
		}
	}

	static String key(int i) {
		return "k" + i;
	}

	private String value(String key) {
		return key + ":v" + this.database.get(key).get();
	}

	private String write(String key) {
		return key + ":v" + this.database.get(key).incrementAndGet();
	}

	/** The loader: read the database, then take a while, as a slow query's result does. */
	private String load(String key, Random random) {
		String value = value(key);
		int delay = random.nextInt(4);
		if (delay > 0) {
			LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(delay * 400L + random.nextInt(400)));
		}
		return value;
	}

	/** What the last check found stale, for the failure message. */
	private final List<String> lastStale = new ArrayList<>();

	Result run(long seed, int rounds) {
		long staleReads = 0;
		long staleInStore = 0;
		List<String> failures = new ArrayList<>();
		try {
			for (int round = 0; round < rounds; round++) {
				long roundSeed = seed + round;
				int[] stale = round(roundSeed);
				staleReads += stale[0];
				staleInStore += stale[1];
				if (stale[0] > 0 || stale[1] > 0) {
					failures.add(this.target.name() + " seed " + roundSeed + ": " + stale[0] + " stale reads, "
							+ stale[1] + " stale in Redis " + this.lastStale);
				}
			}
		}
		finally {
			this.threads.shutdownNow();
		}
		return new Result(rounds, staleReads, staleInStore, this.errors.get(), this.operations.get(),
				this.faultCount.get(), failures);
	}

	Throwable firstError() {
		return this.firstError;
	}

	private int[] round(long roundSeed) {
		Random plan = new Random(roundSeed);
		List<Cache> caches = this.target.caches();
		AtomicBoolean stop = new AtomicBoolean();
		int faultAt = (this.faults && this.target.faults() > 0 && plan.nextInt(3) != 0) ? plan.nextInt(this.writerOps)
				: -1;
		int faultKind = (this.target.faults() > 0) ? plan.nextInt(this.target.faults()) : 0;
		List<Future<?>> writers = new ArrayList<>();
		List<Future<?>> readers = new ArrayList<>();
		for (int w = 0; w < WRITERS; w++) {
			int writer = w;
			long threadSeed = plan.nextLong();
			writers.add(this.threads.submit(() -> writer(writer, caches, new Random(threadSeed),
					(writer == 0) ? faultAt : -1, faultKind)));
		}
		for (int c = 0; c < caches.size(); c++) {
			for (int r = 0; r < READERS_PER_INSTANCE; r++) {
				Cache cache = caches.get(c);
				long threadSeed = plan.nextLong();
				readers.add(this.threads.submit(() -> reader(cache, new Random(threadSeed), stop)));
			}
		}
		join(writers);
		stop.set(true);
		join(readers);
		try {
			await("instances settled").atMost(this.target.settleBound()).pollInterval(Duration.ofMillis(5))
				.until(this.target::settled);
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError(this.target.name() + " did not settle, seed " + roundSeed + " "
					+ this.target.unsettled(), ex);
		}
		if (this.target.pollForStaleness()) {
			try {
				await("stale values gone").atMost(Duration.ofSeconds(1)).until(() -> {
					int[] stale = check();
					return stale[0] + stale[1] == 0;
				});
			}
			catch (ConditionTimeoutException ex) {
				// Counted below.
			}
		}
		return check();
	}

	/** Count (instance, key) pairs returning a value the database no longer holds. */
	int[] check() {
		int staleReads = 0;
		int staleInStore = 0;
		this.lastStale.clear();
		for (int i = 0; i < KEYS; i++) {
			String key = key(i);
			String expected = value(key);
			List<Cache> caches = this.target.caches();
			for (int c = 0; c < caches.size(); c++) {
				Cache.ValueWrapper found = caches.get(c).get(key);
				if (found != null && !expected.equals(found.get())) {
					staleReads++;
					this.lastStale.add("instance " + c + " returned " + found.get() + " for " + expected);
				}
			}
			if (this.target.staleInStore(key, expected)) {
				staleInStore++;
			}
		}
		return new int[] { staleReads, staleInStore };
	}

	private void writer(int writer, List<Cache> caches, Random random, int faultAt, int faultKind) {
		List<String> own = new ArrayList<>();
		for (int i = writer; i < KEYS; i += WRITERS) {
			own.add(key(i));
		}
		for (int op = 0; op < this.writerOps; op++) {
			if (op == faultAt) {
				this.faultCount.incrementAndGet();
				guarded(() -> this.target.fault(faultKind, random));
			}
			Cache cache = caches.get(random.nextInt(caches.size()));
			String key = own.get(random.nextInt(own.size()));
			// Drawn only with raw writes, so that other runs keep their seeds' operations.
			int raw = this.rawWrites ? random.nextInt(100) : 100;
			int shortTtl = 5 + random.nextInt(100);
			int dice = random.nextInt(100);
			guarded(() -> {
				if (raw < 10) {
					write(key);
					this.target.rawWrite(key, null, 0);
				}
				else if (raw < 20) {
					this.target.rawWrite(key, write(key), 600_000);
				}
				else if (raw < 25) {
					// Gone from Redis a few milliseconds later: an expiry no client causes.
					this.target.rawWrite(key, write(key), shortTtl);
				}
				else if (dice < 40) {
					write(key);
					cache.evict(key);
				}
				else if (dice < 75) {
					cache.put(key, write(key));
				}
				else if (dice < 85) {
					Map<String, String> batch = new LinkedHashMap<>();
					own.forEach((k) -> batch.put(k, write(k)));
					putAll(cache, batch);
				}
				else if (dice < 93) {
					write(key);
					evictMatching(cache, key.substring(0, 1) + "*" + key.substring(key.length() - 1));
				}
				else {
					write(key);
					cache.clear();
				}
			});
			this.operations.incrementAndGet();
		}
	}

	private void reader(Cache cache, Random random, AtomicBoolean stop) {
		while (!stop.get()) {
			String key = key(random.nextInt(KEYS));
			int dice = random.nextInt(100);
			guarded(() -> {
				if (dice < 35) {
					cache.get(key, () -> load(key, random));
				}
				else if (dice < 60) {
					// Spring's @Cacheable without sync: read, call the method, store its result.
					Cache.ValueWrapper found = cache.get(key);
					if (found == null) {
						cache.put(key, load(key, random));
					}
				}
				else if (dice < 75) {
					cache.retrieve(key, () -> java.util.concurrent.CompletableFuture.supplyAsync(() -> load(key, random)))
						.get(10, TimeUnit.SECONDS);
				}
				else if (dice < 85) {
					getAll(cache, List.of(key, key(random.nextInt(KEYS))));
				}
				else {
					cache.get(key);
				}
			});
			this.operations.incrementAndGet();
			if (random.nextBoolean()) {
				// Leave the writers some CPU: readers that never pause starve them on 2 cores.
				LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
			}
		}
	}

	private static void putAll(Cache cache, Map<String, String> batch) {
		if (cache instanceof TwoTierCache twoTier) {
			twoTier.putAll(batch);
		}
		else {
			batch.forEach(cache::put);
		}
	}

	private static void evictMatching(Cache cache, String pattern) {
		if (cache instanceof TwoTierCache twoTier) {
			twoTier.evictMatching(pattern);
		}
		else {
			Pattern regex = Pattern.compile(pattern.replace("*", ".*"));
			for (int i = 0; i < KEYS; i++) {
				if (regex.matcher(key(i)).matches()) {
					cache.evict(key(i));
				}
			}
		}
	}

	private static void getAll(Cache cache, List<String> keys) {
		if (cache instanceof TwoTierCache twoTier) {
			twoTier.getAll(keys);
		}
		else {
			keys.forEach(cache::get);
		}
	}

	private void guarded(ThrowingRunnable action) {
		try {
			action.run();
		}
		catch (Throwable ex) {
			this.errors.incrementAndGet();
			if (this.firstError == null) {
				this.firstError = ex;
			}
		}
	}

	private static void join(List<Future<?>> futures) {
		for (Future<?> future : futures) {
			try {
				future.get(5, TimeUnit.MINUTES);
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}
	}

	@FunctionalInterface
	interface ThrowingRunnable {

		void run() throws Exception;

	}

}
