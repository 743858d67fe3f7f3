package dev.tandem.consistency;

import org.jspecify.annotations.Nullable;

/**
 * A marker store could not be read or written.
 */
public class MarkerStoreException extends RuntimeException {

	/**
	 * Creates the exception.
	 * @param message what failed
	 * @param cause why, if another exception says
	 */
	public MarkerStoreException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
