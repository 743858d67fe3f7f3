package dev.tandem.routing;

import java.util.Locale;

/**
 * How reads are spread over the eligible standbys.
 */
public enum ReadBalance {

	/** Each standby in turn. */
	ROUND_ROBIN,

	/** A standby picked at random for each connection. */
	RANDOM,

	/** The standby whose pool has the fewest connections in use. */
	LEAST_ACTIVE,

	/**
	 * The standbys with the lowest round trip (measured by the monitor's checks,
	 * smoothed), each in turn: those within a small margin of the fastest.
	 */
	NEAREST;

	/**
	 * The spelling of {@code tandem.reads.balance}.
	 * @return for example {@code round-robin}
	 */
	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
