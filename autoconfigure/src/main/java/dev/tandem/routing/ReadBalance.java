package dev.tandem.routing;

/**
 * How reads are spread over the eligible standbys.
 */
public enum ReadBalance {

	/** Each standby in turn. */
	ROUND_ROBIN,

	/** A standby picked at random for each connection. */
	RANDOM,

	/** The standby whose pool has the fewest connections in use. */
	LEAST_ACTIVE

}
