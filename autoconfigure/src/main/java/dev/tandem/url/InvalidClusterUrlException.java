package dev.tandem.url;

/**
 * Thrown when a cluster URL cannot be parsed. Carries the property the URL came from, the
 * URL with its password masked, and the fault, so that a failure analyzer can quote each.
 * No part of this exception holds the password.
 */
public class InvalidClusterUrlException extends IllegalArgumentException {

	private final String property;

	private final String maskedUrl;

	private final String fault;

	/**
	 * Creates a new exception.
	 * @param property the name of the property the URL came from
	 * @param maskedUrl the URL with any password replaced by {@code ****}
	 * @param fault what is wrong, without the password
	 */
	public InvalidClusterUrlException(String property, String maskedUrl, String fault) {
		// NOTE: This message format is quoted by Tandem's FailureAnalyzer; keep the parts
		// available separately as well.
		super(property + " '" + maskedUrl + "' is invalid: " + fault);
		this.property = property;
		this.maskedUrl = maskedUrl;
		this.fault = fault;
	}

	/**
	 * Returns the name of the property the URL came from, for example {@code tandem.url}.
	 * @return the property name
	 */
	public String property() {
		return this.property;
	}

	/**
	 * Returns the URL with any password replaced by {@code ****}.
	 * @return the masked URL
	 */
	public String maskedUrl() {
		return this.maskedUrl;
	}

	/**
	 * Returns what is wrong with the URL, for example {@code port 'abc' is not a number}.
	 * @return the fault
	 */
	public String fault() {
		return this.fault;
	}

}
