package dev.perfkit.cache;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The in-process tier: a bounded Caffeine cache with fixed expiry (entries that must go
 * sooner carry a deadline of their own), plus the bookkeeping that lets an invalidation
 * beat a racing load.
 * <p>
 * <b>Implementation note.</b> Every change to a key (an invalidation, a local write) runs
 * inside {@code asMap().compute} for that key and stamps a tombstone with the next value
 * of a per-tier epoch counter; {@link #clear()} stamps the whole tier. A load takes a
 * token (the epoch) <em>before</em> it reads Redis or calls the loader, and installs its
 * result with {@link #putIfUnchanged} in the same per-key compute: if a tombstone newer
 * than its token exists, the load lost the race and its value is dropped. Because both
 * sides hold the same per-key lock, either the install happens first and the
 * invalidation then removes it, or the invalidation happens first and the install sees
 * its tombstone. A whole-tier drop ({@link #clear()}, {@link #invalidateIf}) takes no
 * per-key lock: it raises the floor, then walks the map, so an install checks the floor
 * once more after its entry is in the map and takes it out again when the floor rose
 * (a walk may miss an entry inserted while it runs). Tombstones are pruned when there are many; pruning raises a floor that
 * makes every older token count as stale, which costs a local fill, never correctness.
 * The floor only ever rises (a compare-and-set maximum), so a prune and a clear racing
 * can never lower it and revive a token that a pruned tombstone had made stale. Every
 * install goes through a check against a token taken before the value was read: copies
 * from Redis and loads with {@link #putIfUnchanged}, and the writer's own value with
 * {@link #putOwnIfUnchanged}, which also stamps the key so that an older copy in flight
 * cannot land over it (see {@link CacheWriter}).
 */
final class LocalTier {

	private static final int MAX_TOMBSTONES = 10_000;

	private final Cache<String, Entry> cache;

	private final ConcurrentHashMap<String, Long> tombstones = new ConcurrentHashMap<>();

	private final AtomicLong epoch = new AtomicLong();

	/** Tokens at or below this are stale; only ever raised (see {@link #raiseFloor}). */
	private final AtomicLong floor = new AtomicLong(-1);

	/**
	 * Create a tier.
	 * @param maxSize the bound
	 * @param ttl how long entries live; an entry may carry a shorter deadline of its own
	 */
	LocalTier(long maxSize, Duration ttl) {
		this.cache = Caffeine.newBuilder().maximumSize(maxSize).expireAfterWrite(ttl).build();
	}

	/**
	 * A local entry: the store value ({@code NullValue} for a cached null) and, when it
	 * must go sooner than the tier's TTL (cached nulls, a per-entry TTL), its deadline on
	 * the nano clock; {@code 0} otherwise. Keeping Caffeine on fixed expiry and checking
	 * the rare shorter deadline here keeps the common hit as cheap as a plain Caffeine hit.
	 */
	record Entry(Object value, long deadline) {

		static Entry of(Object value, Duration ttl, Duration tierTtl) {
			if (ttl.compareTo(tierTtl) >= 0) {
				return new Entry(value, 0);
			}
			long deadline = System.nanoTime() + ttl.toNanos();
			return new Entry(value, (deadline != 0) ? deadline : 1);
		}

		boolean expired() {
			return this.deadline != 0 && System.nanoTime() - this.deadline >= 0;
		}

	}

	Entry get(String key) {
		Entry entry = this.cache.getIfPresent(key);
		if (entry != null && entry.expired()) {
			this.cache.asMap().remove(key, entry);
			return null;
		}
		return entry;
	}

	/**
	 * Take a load token. Take it before reading Redis or calling the loader.
	 * @return the token
	 */
	long token() {
		return this.epoch.get();
	}

	/**
	 * Write this instance's own new value: a newer fact than any load in flight.
	 */
	void put(String key, Entry entry) {
		this.cache.asMap().compute(key, (k, old) -> {
			stamp(k);
			return entry;
		});
	}

	/**
	 * Write a value unless one is present.
	 * @return the present entry, or {@code null} when this one was written
	 */
	Entry putIfAbsent(String key, Entry entry) {
		Entry[] existing = new Entry[1];
		this.cache.asMap().compute(key, (k, old) -> {
			if (old != null && !old.expired()) {
				existing[0] = old;
				return old;
			}
			stamp(k);
			return entry;
		});
		return existing[0];
	}

	/**
	 * Install a loaded value unless the key changed since the token was taken.
	 * @return whether it was installed
	 */
	boolean putIfUnchanged(String key, Entry entry, long token) {
		boolean[] installed = new boolean[1];
		this.cache.asMap().compute(key, (k, old) -> {
			if (changedSince(k, token)) {
				return old;
			}
			installed[0] = true;
			return entry;
		});
		return installed[0] && !lostToWholeTierDrop(key, entry, token);
	}

	/**
	 * Install this instance's own written value unless an invalidation from another
	 * instance arrived since the token was taken, and stamp the key, so that a copy or a
	 * load that read the key before the write can no longer land over it. When such an
	 * invalidation arrived, drop the key instead: a reader here may have taken its token
	 * after that invalidation and read Redis before the write, and its copy of the older
	 * value must not survive the write.
	 * @return whether it was installed
	 */
	boolean putOwnIfUnchanged(String key, Entry entry, long token) {
		boolean[] installed = new boolean[1];
		this.cache.asMap().compute(key, (k, old) -> {
			boolean changed = changedSince(k, token);
			stamp(k);
			if (changed) {
				return null;
			}
			installed[0] = true;
			return entry;
		});
		return installed[0] && !lostToWholeTierDrop(key, entry, token);
	}

	/**
	 * Undo an install that a {@link #clear()} or {@link #invalidateIf} overtook. Those
	 * raise the floor first and then walk the map, but a walk is weakly consistent: an
	 * install of an absent key whose compute checked the floor just before it rose can
	 * insert its entry behind the walk (the walk skips the bin while the compute holds
	 * it), and the entry would survive the drop. Checking the floor again once the entry
	 * is in the map closes that: either this check sees the raised floor and removes the
	 * entry, or the floor rose after the entry was in the map, and the walk, which starts
	 * after the floor rose, finds it.
	 * @return whether the entry was removed again
	 */
	private boolean lostToWholeTierDrop(String key, Entry entry, long token) {
		if (this.floor.get() <= token) {
			return false;
		}
		this.cache.asMap().remove(key, entry);
		return true;
	}

	/**
	 * Return whether the key was invalidated or written since the token was taken.
	 */
	boolean changedSince(String key, long token) {
		if (this.floor.get() > token) {
			return true;
		}
		Long stamp = this.tombstones.get(key);
		return stamp != null && stamp > token;
	}

	/**
	 * Drop a key, winning over every load that started before.
	 * @return whether an entry was present
	 */
	boolean invalidate(String key) {
		boolean[] present = new boolean[1];
		this.cache.asMap().compute(key, (k, old) -> {
			present[0] = old != null;
			stamp(k);
			return null;
		});
		return present[0];
	}

	/**
	 * Drop the keys that match, winning over every load in flight.
	 */
	void invalidateIf(Predicate<String> matches) {
		raiseFloor(this.epoch.incrementAndGet());
		this.cache.asMap().keySet().removeIf(matches);
	}

	/**
	 * Drop everything, winning over every load in flight.
	 * @return whether there were entries
	 */
	boolean clear() {
		long stamp = this.epoch.incrementAndGet();
		raiseFloor(stamp);
		boolean had = this.cache.estimatedSize() > 0;
		this.cache.invalidateAll();
		this.tombstones.values().removeIf((value) -> value <= stamp);
		return had;
	}

	long size() {
		return this.cache.estimatedSize();
	}

	Cache<String, Entry> nativeCache() {
		return this.cache;
	}

	private void stamp(String key) {
		this.tombstones.put(key, this.epoch.incrementAndGet());
		if (this.tombstones.size() > MAX_TOMBSTONES) {
			long stamp = this.epoch.incrementAndGet();
			raiseFloor(stamp);
			this.tombstones.values().removeIf((value) -> value < stamp);
		}
	}

	/**
	 * Raise the floor to at least {@code stamp}. A plain store could move it backwards
	 * when a prune and a clear race (the older stamp landing last), reviving tokens that
	 * a pruned tombstone had made stale.
	 */
	private void raiseFloor(long stamp) {
		this.floor.accumulateAndGet(stamp, Math::max);
	}

	long floor() {
		return this.floor.get();
	}

}
