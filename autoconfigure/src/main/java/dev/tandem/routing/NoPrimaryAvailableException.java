package dev.tandem.routing;

import java.sql.SQLTransientConnectionException;

/**
 * Thrown at once, without waiting for a connection, when work must run on the primary and
 * the topology knows that no node is a reachable primary, as between the loss of a
 * primary and the promotion of a standby. Carries SQLState {@code 08001} so that Spring
 * translates it into a connection failure.
 */
public class NoPrimaryAvailableException extends SQLTransientConnectionException {

	/**
	 * Creates the exception.
	 * @param message what the topology showed
	 */
	public NoPrimaryAvailableException(String message) {
		super(message, "08001");
	}

}
