package dev.tandem.consistency;

import java.util.Locale;

/**
 * How reads of a key with a recent write are routed.
 */
public enum ConsistencyMode {

	/**
	 * To a standby that has replayed the write's commit LSN (known from the topology, or
	 * checked on the borrowed connection within the maximum wait), else to the primary.
	 */
	LSN,

	/** To the primary, as long as the key's marker lives. */
	TTL,

	/** No read-your-writes: markers are neither written nor read. */
	OFF;

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}

}
