package dev.tandem.topology;

import java.util.Locale;

/**
 * Whether a node serves reads as a standby, and if not, why not.
 */
public enum Rotation {

	/** A reachable standby, close enough behind the primary: it serves reads. */
	IN_ROTATION,

	/** The primary: it serves writes, and reads only when no standby can. */
	PRIMARY,

	/** A standby further behind than {@code tandem.reads.max-lag}. */
	LAGGING,

	/** A connection to it failed; it stays out until a check succeeds again. */
	SUSPECT,

	/**
	 * After a change of primary, a standby not yet seen receiving WAL since: it may be
	 * stuck on the old primary's timeline, where its positions do not compare with the
	 * new primary's. It serves ordinary reads, as a standby within the lag limit would,
	 * but never a read that must see a given position; past the lag limit without
	 * receiving, it is {@link #LAGGING}.
	 */
	UNCONFIRMED,

	/** Its last check failed. */
	UNREACHABLE,

	/** Not checked yet. */
	UNCHECKED,

	/** A standby that only the writer URL lists: it never serves reads. */
	NOT_A_READER;

	/**
	 * Whether the node serves reads as a standby.
	 * @return whether it is in the reader rotation
	 */
	public boolean inRotation() {
		return this == IN_ROTATION || this == UNCONFIRMED;
	}

	/**
	 * Whether the node's replay position can be compared with the primary's: an
	 * {@link #UNCONFIRMED} standby's cannot.
	 * @return whether it is in rotation with a trusted position
	 */
	public boolean positionTrusted() {
		return this == IN_ROTATION;
	}

	/**
	 * The name as shown in health and the {@code tandem} endpoint, e.g.
	 * {@code in-rotation}.
	 * @return the name
	 */
	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
