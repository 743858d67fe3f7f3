package dev.tandem.consistency;

import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;

/**
 * Markers in this JVM only: read-your-writes holds within one application instance.
 * Markers are kept under the {@link KeyDigest digest} of their key, never the key, so a
 * long key costs no more than a short one (about 200 bytes a marker).
 * <p>
 * Bounded, with amortised expiry: keys wait in a queue in the order they were first
 * recorded, and each write looks at the head of it, dropping what has expired. Past its
 * capacity, the oldest markers are dropped even if live, so memory stays bounded however
 * many keys write (a live marker dropped that way loses read-your-writes for its key;
 * size the capacity above the number of keys that write within one TTL).
 * <p>
 * A marker of unknown outcome ({@link ReadConsistency#UNKNOWN}) lives one TTL from its
 * own recording, whatever the key writes after it; the known positions written meanwhile
 * are kept beside it and required once it has expired.
 */
public final class MemoryMarkerStore implements MarkerStore {

	/** Default capacity, in markers. */
	public static final int DEFAULT_CAPACITY = 100_000;

	/**
	 * How many heads of the queue a write looks at, at most, while the store is not full:
	 * two per write drop the expired markers faster than writes add them.
	 */
	private static final int SWEEP_PER_WRITE = 2;

	private final Map<KeyDigest, Marker> markers = new ConcurrentHashMap<>();

	/**
	 * Each key of {@link #markers} once, with the time its marker lived until when it was
	 * queued: about in the order markers expire. Only the sweeper takes from it.
	 */
	private final Queue<Queued> queue = new ConcurrentLinkedQueue<>();

	private final ReentrantLock sweeping = new ReentrantLock();

	private final int capacity;

	private final LongSupplier clock;

	/**
	 * Creates a store of {@link #DEFAULT_CAPACITY} markers.
	 */
	public MemoryMarkerStore() {
		this(DEFAULT_CAPACITY, System::nanoTime);
	}

	/**
	 * Creates a store.
	 * @param capacity how many markers it holds at most
	 * @param clock monotonic time in nanoseconds
	 */
	public MemoryMarkerStore(int capacity, LongSupplier clock) {
		if (capacity < 1) {
			throw new IllegalArgumentException("Capacity must be positive, was " + capacity);
		}
		this.capacity = capacity;
		this.clock = clock;
	}

	@Override
	public void record(KeyDigest key, Lsn lsn, Duration ttl) {
		long now = this.clock.getAsLong();
		long until = now + ttl.toNanos();
		Marker[] created = new Marker[1];
		this.markers.compute(key, (digest, old) -> {
			Marker marker = Marker.merge(old, lsn, until, now);
			created[0] = (old == null) ? marker : null;
			return marker;
		});
		if (created[0] != null) {
			this.queue.add(new Queued(key, created[0].until()));
		}
		sweep(now);
	}

	private void sweep(long now) {
		boolean full = this.markers.size() > this.capacity;
		if (full) {
			this.sweeping.lock();
		}
		else if (!this.sweeping.tryLock()) {
			// Another write is sweeping.
			return;
		}
		try {
			for (int looked = 0; looked < SWEEP_PER_WRITE || full; looked++) {
				Queued head = this.queue.peek();
				if (head == null) {
					return;
				}
				boolean evict = full;
				// Expired, or the oldest of a full store: dropped. Written again since it
				// was queued and live: it waits its turn again.
				Marker kept = this.markers.computeIfPresent(head.key(), (digest,
						marker) -> (!marker.live(now) || (evict && marker.until() == head.until())) ? null : marker);
				if (kept != null && kept.until() == head.until()) {
					// The oldest marker is live: so are the others, nearly always.
					return;
				}
				this.queue.poll();
				if (kept != null) {
					this.queue.add(new Queued(head.key(), kept.until()));
				}
				full = this.markers.size() > this.capacity;
			}
		}
		finally {
			this.sweeping.unlock();
		}
	}

	@Override
	public @Nullable Lsn find(KeyDigest key) {
		Marker marker = this.markers.get(key);
		return (marker != null) ? marker.lsn(this.clock.getAsLong()) : null;
	}

	/**
	 * Hands every live marker to {@code action}, with the time it has left: a key with a
	 * marker of unknown outcome and a known position written since is handed twice.
	 * @param action what to do with each
	 */
	public void forEachLive(LiveMarkerAction action) {
		long now = this.clock.getAsLong();
		this.markers.forEach((key, marker) -> {
			if (Part.live(marker.unknown(), now)) {
				action.accept(key, marker.unknown().lsn(), Duration.ofNanos(marker.unknown().until() - now));
			}
			if (Part.live(marker.known(), now)) {
				action.accept(key, marker.known().lsn(), Duration.ofNanos(marker.known().until() - now));
			}
		});
	}

	/**
	 * What {@link #forEachLive} does with a marker.
	 */
	@FunctionalInterface
	public interface LiveMarkerAction {

		/**
		 * Acts on a live marker.
		 * @param key the digest of the consistency key
		 * @param lsn the marker's LSN
		 * @param left the time the marker has left
		 */
		void accept(KeyDigest key, Lsn lsn, Duration left);

	}

	/**
	 * How many markers the store holds, expired ones included until they are dropped.
	 * @return the count
	 */
	public int size() {
		return this.markers.size();
	}

	@Override
	public String name() {
		return "memory";
	}

	/** A key in the queue, and when its marker lived until when it was queued. */
	private record Queued(KeyDigest key, long until) {

	}

	/** A position and when it stops being required, in clock nanoseconds. */
	private record Part(Lsn lsn, long until) {

		static boolean live(@Nullable Part part, long now) {
			return part != null && part.until() - now > 0;
		}

	}

	/**
	 * A key's marker: the highest known position, and apart from it the marker of unknown
	 * outcome, so that each expires on its own.
	 */
	private record Marker(@Nullable Part known, @Nullable Part unknown) {

		static Marker merge(@Nullable Marker old, Lsn lsn, long until, long now) {
			Part known = (old != null && Part.live(old.known(), now)) ? old.known() : null;
			Part unknown = (old != null && Part.live(old.unknown(), now)) ? old.unknown() : null;
			if (lsn.equals(ReadConsistency.UNKNOWN)) {
				// Lives one TTL from its own recording, never renewed by later writes.
				if (unknown == null || until - unknown.until() > 0) {
					unknown = new Part(lsn, until);
				}
			}
			else if (known == null) {
				known = new Part(lsn, until);
			}
			else {
				Lsn highest = (lsn.compareTo(known.lsn()) > 0) ? lsn : known.lsn();
				known = new Part(highest, (until - known.until() > 0) ? until : known.until());
			}
			return new Marker(known, unknown);
		}

		boolean live(long now) {
			return Part.live(this.known, now) || Part.live(this.unknown, now);
		}

		/**
		 * When the marker stops being required, in clock nanoseconds.
		 * @return the later deadline of its parts
		 */
		long until() {
			if (this.known == null) {
				return (this.unknown != null) ? this.unknown.until() : Long.MIN_VALUE;
			}
			if (this.unknown == null) {
				return this.known.until();
			}
			return (this.unknown.until() - this.known.until() > 0) ? this.unknown.until() : this.known.until();
		}

		@Nullable Lsn lsn(long now) {
			if (Part.live(this.unknown, now)) {
				return this.unknown.lsn();
			}
			return Part.live(this.known, now) ? this.known.lsn() : null;
		}

	}

}
