package dev.tandem.routing;

import java.util.Locale;

/**
 * Lookup keys of the routing {@code DataSource}. They print as {@code writer} and
 * {@code reader}, which is how Spring Boot's database health names its entries.
 */
public enum RouteKey {

	/** The writer pool, on the primary. */
	WRITER,

	/** The reader side: a standby, or the primary when the read target says so. */
	READER;

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}

}
