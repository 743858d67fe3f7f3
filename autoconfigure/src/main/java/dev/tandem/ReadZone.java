package dev.tandem;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;

/**
 * Runs a block of work whose reads prefer the standbys of a zone
 * ({@code tandem.zones.<name>}) rather than this instance's ({@code tandem.reads.zone}):
 * a request served for a user of another region, a job that reads near its data. Other
 * rules apply unchanged: when no standby of the zone is eligible, reads go to the other
 * standbys, nearest first.
 *
 * <pre class="code">
 * List&lt;Order&gt; orders = ReadZone.callWith("eu-west", () -&gt; orderService.recentOrders(user));
 * </pre>
 */
public final class ReadZone {

	private static final ThreadLocal<@Nullable String> current = new ThreadLocal<>();

	private static volatile Set<String> known = Set.of();

	private ReadZone() {
	}

	/**
	 * Runs work whose reads prefer a zone.
	 * @param <T> the result type
	 * @param zone the zone, one of {@code tandem.zones}
	 * @param work the work
	 * @return the work's result
	 * @throws UnknownZoneException when no zone has that name
	 * @throws Exception what the work throws
	 */
	public static <T> T callWith(String zone, Callable<T> work) throws Exception {
		String previous = enter(zone);
		try {
			return work.call();
		}
		finally {
			restore(previous);
		}
	}

	/**
	 * Runs work whose reads prefer a zone.
	 * @param zone the zone, one of {@code tandem.zones}
	 * @param work the work
	 * @throws UnknownZoneException when no zone has that name
	 */
	public static void runWith(String zone, Runnable work) {
		String previous = enter(zone);
		try {
			work.run();
		}
		finally {
			restore(previous);
		}
	}

	/**
	 * The zone the current work's reads prefer, when set by {@link #callWith} or
	 * {@link #runWith} (or by a request's {@code tandem.reads.zone-header}).
	 * @return the zone, or {@code null} when none is set: the instance's zone applies
	 */
	public static @Nullable String current() {
		return current.get();
	}

	/**
	 * Sets or clears the zone of the current thread, unchecked: Tandem's context
	 * propagation calls it to carry a zone to work handed over to another thread;
	 * applications use {@link #callWith} or {@link #runWith}.
	 * @param zone the zone, or {@code null} for none
	 */
	public static void setCurrent(@Nullable String zone) {
		restore(zone);
	}

	/**
	 * Sets the zones that may be named: Tandem's auto-configuration calls it with the
	 * names of {@code tandem.zones}; applications have no need to.
	 * @param zones the zones' names
	 */
	public static void setKnownZones(Collection<String> zones) {
		known = Set.copyOf(zones);
	}

	private static @Nullable String enter(String zone) {
		Set<String> zones = known;
		if (!zones.contains(zone)) {
			throw new UnknownZoneException("ReadZone", zone, zones);
		}
		String previous = current.get();
		current.set(zone);
		return previous;
	}

	private static void restore(@Nullable String previous) {
		if (previous != null) {
			current.set(previous);
		}
		else {
			current.remove();
		}
	}

}
