package dev.tandem.consistency;

/**
 * A marker store could not be read or written.
 */
public class MarkerStoreException extends RuntimeException {

	/**
	 * Creates the exception.
	 * @param message what failed
	 * @param cause why
	 */
	public MarkerStoreException(String message, Throwable cause) {
		super(message, cause);
	}

}
