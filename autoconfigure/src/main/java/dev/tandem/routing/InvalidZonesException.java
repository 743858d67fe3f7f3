package dev.tandem.routing;

/**
 * Zone settings that cannot be used: a zone that names a host the URL does not list, a
 * host in two zones, or a zone name that no {@code tandem.zones.<name>} defines.
 */
public class InvalidZonesException extends IllegalArgumentException {

	/**
	 * Creates the exception.
	 * @param message what is wrong, naming the property and the value
	 */
	public InvalidZonesException(String message) {
		super(message);
	}

}
