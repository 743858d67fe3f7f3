package dev.tandem.consistency;

/**
 * A marker store answers but may lack markers written within the last TTL, for instance
 * just after an outage. A read with a key then goes to the primary, as when the store is
 * unavailable, but the store is not counted as failed.
 */
public class MarkersIncompleteException extends MarkerStoreException {

	/**
	 * Creates the exception.
	 * @param message why markers may be missing
	 */
	public MarkersIncompleteException(String message) {
		super(message, null);
	}

}
