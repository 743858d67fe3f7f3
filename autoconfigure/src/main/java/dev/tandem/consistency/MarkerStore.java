package dev.tandem.consistency;

import java.time.Duration;

import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;

/**
 * Where recent-writer markers live: per consistency key, the highest commit LSN written
 * under it, for a limited time.
 */
public interface MarkerStore {

	/**
	 * Records a write's commit LSN under a key, keeping the higher LSN when a marker
	 * already exists, and makes the marker live for {@code ttl} from now.
	 * @param key the consistency key
	 * @param lsn the commit LSN
	 * @param ttl how long the marker lives
	 * @throws MarkerStoreException when the store cannot be written
	 */
	void record(String key, Lsn lsn, Duration ttl);

	/**
	 * Records a marker known only by its key's digest, as a {@link MemoryMarkerStore}
	 * keeps it: how markers kept locally while the shared store was down reach it once it
	 * is back. A store that cannot record by digest does not receive them.
	 * @param key the digest of the consistency key
	 * @param lsn the commit LSN
	 * @param ttl how long the marker lives
	 * @throws MarkerStoreException when the store cannot be written
	 * @throws UnsupportedOperationException when the store records by key only (the
	 * default)
	 */
	default void record(KeyDigest key, Lsn lsn, Duration ttl) {
		throw new UnsupportedOperationException("The " + name() + " marker store cannot record by key digest");
	}

	/**
	 * The marker of a key.
	 * @param key the consistency key
	 * @return its LSN, or {@code null} when it has none (or it expired)
	 * @throws MarkerStoreException when the store cannot be read
	 */
	@Nullable Lsn find(String key);

	/**
	 * A name for logs and health, such as {@code memory} or {@code redis}.
	 * @return the name
	 */
	String name();

}
