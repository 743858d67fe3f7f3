package dev.tandem.autoconfigure;

/**
 * The read-your-writes settings contradict the lag and check settings.
 */
public class InvalidConsistencySettingsException extends IllegalStateException {

	/**
	 * Creates the exception.
	 * @param message which settings and why
	 */
	public InvalidConsistencySettingsException(String message) {
		super(message);
	}

}
