package dev.tandem.actuate;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import dev.tandem.routing.ReadZones;
import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of every node of the cluster, one component per node, named {@code host-port}
 * (the colons of an IPv6 address written as underscores) so that it can be asked for at
 * {@code /actuator/health/tandem/127.0.0.1-5432}. Reads the monitor's latest snapshot: no
 * I/O.
 * <p>
 * A component is {@code UP} when its node answered its last check, as a primary or as a
 * standby, whether that standby serves reads or not ({@code state} says why not); it is
 * {@code DOWN} when the last check failed or no check has finished yet. Details:
 * {@code role}, {@code state}, {@code inRotation}, {@code lagBytes}, {@code lagSeconds},
 * {@code walLsn}, {@code checkedAt}, {@code error}, {@code zone} and {@code roundTripMs}
 * (the smoothed round trip of its checks); unknown values are left out.
 */
public final class TandemHealthContributor implements CompositeHealthContributor {

	private final Map<String, HealthContributor> nodes;

	/**
	 * Creates the contributor for the monitor's nodes.
	 * @param monitor the monitor
	 */
	public TandemHealthContributor(TopologyMonitor monitor) {
		this(monitor, ReadZones.NONE);
	}

	/**
	 * Creates the contributor for the monitor's nodes, with their zones.
	 * @param monitor the monitor
	 * @param zones the nodes' zones
	 */
	public TandemHealthContributor(TopologyMonitor monitor, ReadZones zones) {
		Map<String, HealthContributor> nodes = new LinkedHashMap<>();
		for (NodeStatus status : monitor.snapshot().nodes()) {
			HostAndPort node = status.node();
			nodes.put(NodeFacts.componentName(node), new NodeHealthIndicator(monitor, node, zones.zoneOf(node)));
		}
		this.nodes = Collections.unmodifiableMap(nodes);
	}

	@Override
	public @Nullable HealthContributor getContributor(String name) {
		return this.nodes.get(name);
	}

	@Override
	public Stream<Entry> stream() {
		return this.nodes.entrySet().stream().map((node) -> new Entry(node.getKey(), node.getValue()));
	}

	/**
	 * The health of one node as its latest check found it.
	 * @param status the node's status
	 * @return its health
	 */
	static Health health(NodeStatus status) {
		Health.Builder health = status.reachable() ? Health.up() : Health.down();
		details(health, status);
		if (status.isEndpoint()) {
			Map<String, Object> servers = new LinkedHashMap<>();
			for (NodeStatus server : status.servers()) {
				Health.Builder details = Health.up();
				details(details, server);
				servers.put(server.node().toString(), details.build().getDetails());
			}
			health.withDetail("servers", servers);
		}
		return health.build();
	}

	private static void details(Health.Builder health, NodeStatus status) {
		health.withDetail("role", status.role().toString());
		health.withDetail("state", status.rotation().toString());
		health.withDetail("inRotation", status.inRotation());
		detail(health, "lagBytes", status.lagBytes());
		detail(health, "lagSeconds", NodeFacts.lagSeconds(status));
		detail(health, "walLsn", (status.walLsn() != null) ? status.walLsn().toString() : null);
		detail(health, "checkedAt", NodeFacts.timestamp(status.checkedAt()));
		detail(health, "error", status.error());
		detail(health, "server", (status.server() != null && !status.server().equals(status.node()))
				? status.server().toString() : null);
	}

	private static void detail(Health.Builder health, String key, @Nullable Object value) {
		if (value != null) {
			health.withDetail(key, value);
		}
	}

	private static final class NodeHealthIndicator implements HealthIndicator {

		private final TopologyMonitor monitor;

		private final HostAndPort node;

		private final @Nullable String zone;

		NodeHealthIndicator(TopologyMonitor monitor, HostAndPort node, @Nullable String zone) {
			this.monitor = monitor;
			this.node = node;
			this.zone = zone;
		}

		@Override
		public Health health() {
			NodeStatus status = this.monitor.snapshot().statusOf(this.node);
			if (status == null) {
				return Health.unknown().build();
			}
			Health health = TandemHealthContributor.health(status);
			Double roundTrip = NodeFacts.roundTripMillis(this.monitor, this.node);
			if (this.zone == null && roundTrip == null) {
				return health;
			}
			Health.Builder builder = Health.status(health.getStatus()).withDetails(health.getDetails());
			detail(builder, "zone", this.zone);
			detail(builder, "roundTripMs", roundTrip);
			return builder.build();
		}

	}

}
