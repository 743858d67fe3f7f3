package dev.tandem;

import java.util.Collection;
import java.util.TreeSet;

/**
 * A zone name, given to {@link ReadZone}, that no {@code tandem.zones.<name>} defines.
 */
public class UnknownZoneException extends IllegalArgumentException {

	private final String zone;

	/**
	 * Creates the exception.
	 * @param where the property or API that named the zone
	 * @param zone the zone
	 * @param known the zones configured
	 */
	public UnknownZoneException(String where, String zone, Collection<String> known) {
		super(where + " names the zone '" + zone + "', which tandem.zones does not define; "
				+ (known.isEmpty() ? "no zone is configured (tandem.zones.<name>=host:port,...)"
						: "the zones are " + new TreeSet<>(known)));
		this.zone = zone;
	}

	/**
	 * The zone named.
	 * @return the zone
	 */
	public String getZone() {
		return this.zone;
	}

}
