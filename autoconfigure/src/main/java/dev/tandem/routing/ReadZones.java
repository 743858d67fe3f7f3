package dev.tandem.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.tandem.ReadZone;
import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;

/**
 * The zones (or regions) of the nodes ({@code tandem.zones.<name>}), and this instance's
 * own ({@code tandem.reads.zone}). A node belongs to at most one zone; nodes listed in
 * none belong to no zone.
 */
public final class ReadZones {

	/** No zones: every standby alike. */
	public static final ReadZones NONE = new ReadZones(Map.of(), null);

	private final Map<HostAndPort, String> zoneOfNode;

	private final Set<String> names;

	private final @Nullable String home;

	private ReadZones(Map<HostAndPort, String> zoneOfNode, @Nullable String home) {
		this.zoneOfNode = Map.copyOf(zoneOfNode);
		this.names = Set.copyOf(new LinkedHashSet<>(zoneOfNode.values()));
		this.home = home;
	}

	/**
	 * Reads and checks the zones.
	 * @param zones each zone's hosts ({@code host:port}) as configured
	 * @param home this instance's zone, or {@code null}
	 * @param nodes the nodes of the cluster URL(s)
	 * @return the zones
	 * @throws InvalidZonesException when a host is not one of the URL's nodes or is in
	 * two zones, or {@code home} names no zone
	 */
	public static ReadZones of(Map<String, ? extends Collection<String>> zones, @Nullable String home,
			Collection<HostAndPort> nodes) {
		Map<HostAndPort, String> zoneOfNode = new LinkedHashMap<>();
		Set<String> names = new LinkedHashSet<>();
		for (Map.Entry<String, ? extends Collection<String>> zone : zones.entrySet()) {
			String name = zone.getKey();
			names.add(name);
			for (String host : zone.getValue()) {
				HostAndPort node = node(name, host.trim(), nodes);
				String other = zoneOfNode.putIfAbsent(node, name);
				if (other != null && !other.equals(name)) {
					throw new InvalidZonesException("tandem.zones: host '" + host + "' is in two zones, '" + other
							+ "' and '" + name + "'; a node belongs to one zone");
				}
			}
		}
		if (home != null && !home.isBlank() && !names.contains(home)) {
			throw new InvalidZonesException(
					"tandem.reads.zone names the zone '" + home + "', which tandem.zones does not define; "
							+ (names.isEmpty() ? "no zone is configured (tandem.zones.<name>=host:port,...)"
									: "the zones are " + new TreeSet<>(names)));
		}
		ReadZone.setKnownZones(names);
		return new ReadZones(zoneOfNode, (home != null && !home.isBlank()) ? home : null);
	}

	private static HostAndPort node(String zone, String host, Collection<HostAndPort> nodes) {
		List<String> known = new ArrayList<>();
		for (HostAndPort node : nodes) {
			if (node.toString().equalsIgnoreCase(host)) {
				return node;
			}
			known.add(node.toString());
		}
		throw new InvalidZonesException("tandem.zones." + zone + ": '" + host
				+ "' is not a node of the cluster URL; zones list nodes as host:port, one of " + known);
	}

	/**
	 * Whether a zone of this name is configured.
	 * @param zone the name
	 * @return whether it is
	 */
	public boolean contains(String zone) {
		return this.names.contains(zone);
	}

	/**
	 * The zone a read prefers now: the one set for the current work ({@code ReadZone}, or
	 * the request's header), else this instance's.
	 * @return the zone, or {@code null} for none
	 */
	public @Nullable String current() {
		if (this.names.isEmpty()) {
			return null;
		}
		String zone = ReadZone.current();
		return (zone != null && this.names.contains(zone)) ? zone : this.home;
	}

	/**
	 * A node's zone.
	 * @param node the node
	 * @return the zone, or {@code null} when it is in none
	 */
	public @Nullable String zoneOf(HostAndPort node) {
		return this.zoneOfNode.get(node);
	}

	/**
	 * The zones' names.
	 * @return the names
	 */
	public Set<String> names() {
		return this.names;
	}

	/**
	 * This instance's zone.
	 * @return the zone, or {@code null}
	 */
	public @Nullable String home() {
		return this.home;
	}

	/**
	 * Whether any zone is configured.
	 * @return whether zones are on
	 */
	public boolean isEmpty() {
		return this.names.isEmpty();
	}

}
