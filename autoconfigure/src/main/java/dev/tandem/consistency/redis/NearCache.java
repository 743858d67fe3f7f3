package dev.tandem.consistency.redis;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.tandem.consistency.KeyDigest;
import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;

/**
 * The answers this instance got from Redis about marker keys (a marker, or none), kept
 * until Redis says the key changed. Used only while the invalidation channel is
 * {@link #open() open}: closing it empties the cache, and until it opens again every
 * lookup goes to Redis and nothing is kept.
 * <p>
 * A lookup that misses takes a {@link Fill} before it asks Redis, and keeps the answer
 * only if no invalidation of the key and no flush came in between: an invalidation that
 * overtakes the answer it makes stale (they come on different connections) is never lost.
 * <p>
 * Entries are kept under the {@link KeyDigest} of the marker's key, so that a lookup
 * hashes its consistency key once and builds no Redis key unless it goes to Redis.
 * Bounded: past {@code maxEntries}, a tenth of the entries are dropped (any tenth; they
 * are only asked of Redis again). An entry takes about 120 bytes (a digest, its map node
 * and position).
 */
public final class NearCache {

	/** Why the cache was emptied. */
	public enum Flush {

		/** The invalidation connection was lost or killed. */
		CONNECTION_LOST("connection-lost"),

		/** Tracking was (re)enabled: invalidations before it may be missing. */
		TRACKING_ENABLED("tracking-enabled"),

		/** Redis said every key may have changed ({@code FLUSHALL}, tracking reset). */
		REDIS_FLUSHED("redis-flushed"),

		/** A lookup or a write failed: Redis may be out of reach. */
		STORE_FAILED("store-failed"),

		/** The invalidation channel did not answer its liveness check. */
		CHANNEL_SILENT("channel-silent"),

		/**
		 * A tracked server is no longer a master, or a Cluster's masters changed: writes
		 * may go where the channel does not listen yet.
		 */
		TOPOLOGY_CHANGED("topology-changed");

		private final String tag;

		Flush(String tag) {
			this.tag = tag;
		}

		/**
		 * The cause as a meter tag.
		 * @return the tag
		 */
		public String tag() {
			return this.tag;
		}

	}

	/** A cached answer: the marker's position, or {@code null} for no marker. */
	record Answer(@Nullable Lsn lsn) {

	}

	private static final Answer NONE = new Answer(null);

	private final int maxEntries;

	private final Map<KeyDigest, Answer> entries = new ConcurrentHashMap<>();

	private final Map<KeyDigest, Fill> pending = new ConcurrentHashMap<>();

	private final LongAdder hits = new LongAdder();

	private final LongAdder misses = new LongAdder();

	private final LongAdder invalidations = new LongAdder();

	private final Map<Flush, AtomicLong> flushes = new ConcurrentHashMap<>();

	private final AtomicLong epoch = new AtomicLong();

	private volatile boolean open;

	/**
	 * Creates a closed cache.
	 * @param maxEntries the most entries kept
	 */
	NearCache(int maxEntries) {
		this.maxEntries = maxEntries;
		for (Flush cause : Flush.values()) {
			this.flushes.put(cause, new AtomicLong());
		}
	}

	/**
	 * The cached answer for a key, without counting it.
	 * @param key the digest of the marker's key
	 * @return the answer, or {@code null} when Redis must be asked
	 */
	@Nullable Answer peek(KeyDigest key) {
		return this.open ? this.entries.get(key) : null;
	}

	/** Counts a lookup answered from memory. */
	void hit() {
		this.hits.increment();
	}

	/** Counts a lookup that goes to Redis while the cache is open. */
	void miss() {
		if (this.open) {
			this.misses.increment();
		}
	}

	/**
	 * Called before asking Redis about a key that missed.
	 * @param key the digest of the marker's key
	 * @return the fill to complete with the answer, or {@code null} when the answer may
	 * not be kept (the channel is closed)
	 */
	@Nullable Fill startFill(KeyDigest key) {
		if (!this.open) {
			return null;
		}
		Fill fill = new Fill(key, this.epoch.get());
		this.pending.put(key, fill);
		return fill;
	}

	/**
	 * Keeps Redis's answer, unless the key was invalidated or the cache flushed since the
	 * fill started.
	 * @param fill the fill
	 * @param lsn the marker's position, or {@code null} for none
	 */
	void complete(Fill fill, @Nullable Lsn lsn) {
		this.entries.compute(fill.key, (key, current) -> {
			// Under the key's lock: an invalidation removes the pending fill before the
			// entry, so it either finds the entry put here or stops the put.
			if (this.pending.remove(key, fill) && this.open && this.epoch.get() == fill.epoch) {
				return (lsn != null) ? new Answer(lsn) : NONE;
			}
			return current;
		});
		if (this.entries.size() > this.maxEntries) {
			shrink();
		}
	}

	/**
	 * Drops a fill whose lookup failed.
	 * @param fill the fill
	 */
	void abandon(Fill fill) {
		this.pending.remove(fill.key, fill);
	}

	/**
	 * Forgets a key: Redis said it changed, or this instance wrote it.
	 * @param key the digest of the marker's key
	 */
	void invalidate(KeyDigest key) {
		this.pending.remove(key);
		this.entries.remove(key);
		this.invalidations.increment();
	}

	/**
	 * Forgets a key Redis named in an invalidation. A key that is not a marker's is never
	 * kept, so there is nothing to forget.
	 * @param redisKey the key, as Redis names it
	 */
	void invalidate(String redisKey) {
		KeyDigest key = RedisMarkerStore.digestOf(redisKey);
		if (key != null) {
			invalidate(key);
		}
	}

	/**
	 * Empties the cache; it stays open.
	 * @param cause why
	 */
	void flush(Flush cause) {
		this.epoch.incrementAndGet();
		this.pending.clear();
		this.entries.clear();
		this.flushes.get(cause).incrementAndGet();
	}

	/**
	 * Starts keeping answers: invalidations flow. Empties the cache first, for any missed
	 * while it was closed.
	 */
	void open() {
		flush(Flush.TRACKING_ENABLED);
		this.open = true;
	}

	/**
	 * Stops keeping and giving answers until {@link #open()}: invalidations may be lost.
	 * @param cause why
	 */
	void close(Flush cause) {
		this.open = false;
		flush(cause);
	}

	/**
	 * Whether answers are kept and given: invalidations flow.
	 * @return whether the cache is open
	 */
	public boolean isOpen() {
		return this.open;
	}

	/**
	 * How many answers are kept.
	 * @return the number of entries
	 */
	public int size() {
		return this.entries.size();
	}

	/**
	 * Lookups answered from memory.
	 * @return the count
	 */
	public long hits() {
		return this.hits.sum();
	}

	/**
	 * Lookups that went to Redis while the cache was open.
	 * @return the count
	 */
	public long misses() {
		return this.misses.sum();
	}

	/**
	 * Keys forgotten because Redis said they changed, or this instance wrote them.
	 * @return the count
	 */
	public long invalidations() {
		return this.invalidations.sum();
	}

	/**
	 * Times the cache was emptied for a cause.
	 * @param cause the cause
	 * @return the count
	 */
	public long flushes(Flush cause) {
		return this.flushes.get(cause).get();
	}

	private void shrink() {
		int drop = Math.max(1, this.maxEntries / 10);
		Iterator<KeyDigest> keys = this.entries.keySet().iterator();
		while (drop-- > 0 && keys.hasNext()) {
			keys.next();
			keys.remove();
		}
	}

	/**
	 * A lookup in flight: its answer is kept only if nothing changed the key meanwhile.
	 */
	static final class Fill {

		private final KeyDigest key;

		private final long epoch;

		Fill(KeyDigest key, long epoch) {
			this.key = key;
			this.epoch = epoch;
		}

	}

}
