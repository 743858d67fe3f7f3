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
	default void record(String key, Lsn lsn, Duration ttl) {
		record(KeyDigest.of(key), lsn, ttl);
	}

	/**
	 * Records a write's commit LSN under the digest of its key, which is all a store
	 * keeps: what {@link #record(String, Lsn, Duration)} does once the key is hashed.
	 * @param key the digest of the consistency key
	 * @param lsn the commit LSN
	 * @param ttl how long the marker lives
	 * @throws MarkerStoreException when the store cannot be written
	 */
	void record(KeyDigest key, Lsn lsn, Duration ttl);

	/**
	 * The marker of a key.
	 * @param key the consistency key
	 * @return its LSN, or {@code null} when it has none (or it expired)
	 * @throws MarkerStoreException when the store cannot be read
	 */
	default @Nullable Lsn find(String key) {
		return find(KeyDigest.of(key));
	}

	/**
	 * The marker of a key, by its digest: what {@link #find(String)} does once the key is
	 * hashed, so that a caller that hashes once can ask several stores.
	 * @param key the digest of the consistency key
	 * @return its LSN, or {@code null} when it has none (or it expired)
	 * @throws MarkerStoreException when the store cannot be read
	 */
	@Nullable Lsn find(KeyDigest key);

	/**
	 * A name for logs and health, such as {@code memory} or {@code redis}.
	 * @return the name
	 */
	String name();

}
