package dev.tandem.autoconfigure;

/**
 * The configured marker store cannot be built.
 */
public class MarkerStoreUnavailableException extends IllegalStateException {

	/**
	 * Creates the exception.
	 * @param message what is missing
	 */
	public MarkerStoreUnavailableException(String message) {
		super(message);
	}

}
