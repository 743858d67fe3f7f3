package dev.tandem.consistency;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import dev.tandem.topology.Lsn;
import org.jspecify.annotations.Nullable;

/**
 * Markers in this JVM only: read-your-writes holds within one application instance.
 * Bounded: past its capacity, expired markers are dropped first, then any others, so
 * memory stays bounded however many keys write (a live marker dropped that way loses
 * read-your-writes for its key; size the capacity above the number of keys that write
 * within one TTL).
 */
public final class MemoryMarkerStore implements MarkerStore {

	/** Default capacity, in markers. */
	public static final int DEFAULT_CAPACITY = 100_000;

	private final Map<String, Marker> markers = new ConcurrentHashMap<>();

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
	public void record(String key, Lsn lsn, Duration ttl) {
		long now = this.clock.getAsLong();
		long expiresAt = now + ttl.toNanos();
		this.markers.merge(key, new Marker(lsn, expiresAt),
				(old, fresh) -> (old.expiresAt() - now > 0 && old.lsn().compareTo(fresh.lsn()) > 0)
						? new Marker(old.lsn(), expiresAt) : fresh);
		if (this.markers.size() > this.capacity) {
			trim(now);
		}
	}

	@Override
	public @Nullable Lsn find(String key) {
		Marker marker = this.markers.get(key);
		if (marker == null) {
			return null;
		}
		if (marker.expiresAt() - this.clock.getAsLong() <= 0) {
			this.markers.remove(key, marker);
			return null;
		}
		return marker.lsn();
	}

	private synchronized void trim(long now) {
		this.markers.values().removeIf((marker) -> marker.expiresAt() - now <= 0);
		Iterator<Map.Entry<String, Marker>> entries = this.markers.entrySet().iterator();
		while (this.markers.size() > this.capacity && entries.hasNext()) {
			// No order is kept; every marker of a full store is equally recent enough.
			entries.next();
			entries.remove();
		}
	}

	/**
	 * Hands every live marker to {@code action}, with the time it has left.
	 * @param action what to do with each
	 */
	public void forEachLive(LiveMarkerAction action) {
		long now = this.clock.getAsLong();
		this.markers.forEach((key, marker) -> {
			long left = marker.expiresAt() - now;
			if (left > 0) {
				action.accept(key, marker.lsn(), Duration.ofNanos(left));
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
		 * @param key the consistency key
		 * @param lsn the marker's LSN
		 * @param left the time the marker has left
		 */
		void accept(String key, Lsn lsn, Duration left);

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

	private record Marker(Lsn lsn, long expiresAt) {
	}

}
