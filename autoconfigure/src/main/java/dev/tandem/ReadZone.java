package dev.tandem;

import java.util.concurrent.Callable;

import dev.tandem.routing.ReadZones;
import dev.tandem.routing.ZoneContext;

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
		ReadZones.checkKnown(zone);
		return ZoneContext.callWith(zone, work);
	}

	/**
	 * Runs work whose reads prefer a zone.
	 * @param zone the zone, one of {@code tandem.zones}
	 * @param work the work
	 * @throws UnknownZoneException when no zone has that name
	 */
	public static void runWith(String zone, Runnable work) {
		ReadZones.checkKnown(zone);
		ZoneContext.runWith(zone, work);
	}

}
