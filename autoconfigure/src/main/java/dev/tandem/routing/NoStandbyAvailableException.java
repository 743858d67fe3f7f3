package dev.tandem.routing;

import java.sql.SQLTransientConnectionException;

/**
 * Thrown when read-only work must run on a standby ({@code tandem.reads.target=standby})
 * and no standby is eligible. Carries SQLState {@code 08001} so that Spring translates it
 * into a connection failure.
 */
public class NoStandbyAvailableException extends SQLTransientConnectionException {

	/**
	 * Creates the exception.
	 * @param message what was looked for and what the topology showed
	 */
	public NoStandbyAvailableException(String message) {
		super(message, "08001");
	}

}
