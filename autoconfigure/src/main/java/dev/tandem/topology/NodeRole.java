package dev.tandem.topology;

/**
 * Role of a node as its last check saw it.
 */
public enum NodeRole {

	/** Accepts writes: {@code pg_is_in_recovery()} is false. */
	PRIMARY,

	/** A hot standby: {@code pg_is_in_recovery()} is true. */
	STANDBY,

	/** Not known: the node has not answered yet or did not answer its last check. */
	UNKNOWN;

	@Override
	public String toString() {
		return name().toLowerCase(java.util.Locale.ROOT);
	}

}
