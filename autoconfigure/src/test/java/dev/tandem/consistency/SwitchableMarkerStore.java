package dev.tandem.consistency;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;

/**
 * A shared marker store for unit tests that can be switched off: while {@link #up} is
 * false every call throws {@link MarkerStoreException}. Markers keep the highest LSN and
 * never expire.
 */
public final class SwitchableMarkerStore implements MarkerStore {

	/** Whether calls succeed. */
	public final AtomicBoolean up = new AtomicBoolean(true);

	private final Map<KeyDigest, Lsn> markers = new ConcurrentHashMap<>();

	@Override
	public void record(KeyDigest key, Lsn lsn, Duration ttl) {
		check();
		this.markers.merge(key, lsn, (a, b) -> (a.compareTo(b) >= 0) ? a : b);
	}

	@Override
	public @Nullable Lsn find(KeyDigest key) {
		check();
		return this.markers.get(key);
	}

	private void check() {
		if (!this.up.get()) {
			throw new MarkerStoreException("switched off", new IllegalStateException());
		}
	}

	@Override
	public String name() {
		return "switchable";
	}

}
