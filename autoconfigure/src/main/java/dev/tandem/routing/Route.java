package dev.tandem.routing;

/**
 * Where the statements of the current scope should run.
 */
public enum Route {

	/** On the primary, through the writer pool. */
	PRIMARY,

	/** On a standby chosen by the read target and the balance strategy. */
	REPLICA

}
