package dev.tandem.autoconfigure;

/**
 * Thrown at startup on a Spring Boot line older than the ones Tandem supports.
 */
public class UnsupportedSpringBootVersionException extends RuntimeException {

	private final String version;

	UnsupportedSpringBootVersionException(String version) {
		super("Tandem needs Spring Boot 4.0 or 4.1; this application runs Spring Boot " + version);
		this.version = version;
	}

	/**
	 * The Spring Boot version the application runs.
	 * @return the version
	 */
	public String version() {
		return this.version;
	}

}
