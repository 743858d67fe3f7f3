package dev.tandem.autoconfigure;

/**
 * The read-your-writes settings are invalid or contradict the lag and check settings.
 */
public class InvalidConsistencySettingsException extends IllegalStateException {

	private final String action;

	/**
	 * Creates the exception for a TTL too short for the lag and check settings.
	 * @param message which settings and why
	 */
	public InvalidConsistencySettingsException(String message) {
		this(message,
				"Raise 'tandem.consistency.ttl', or lower 'tandem.reads.max-lag' or 'tandem.topology.check-interval'.");
	}

	/**
	 * Creates the exception.
	 * @param message which settings and why
	 * @param action what to change
	 */
	public InvalidConsistencySettingsException(String message, String action) {
		super(message);
		this.action = action;
	}

	/**
	 * What to change.
	 * @return the action, naming the properties
	 */
	public String getAction() {
		return this.action;
	}

}
