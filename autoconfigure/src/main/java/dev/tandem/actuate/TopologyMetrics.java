package dev.tandem.actuate;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.TopologyListener;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.topology.TopologySnapshot;
import dev.tandem.url.HostAndPort;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Gauges of every node's lag and rotation, read from the monitor's latest snapshot (a
 * memory read), and a counter of role changes per node: the node meters of
 * {@link TandemMeters}.
 */
public final class TopologyMetrics implements MeterBinder {

	private final TopologyMonitor monitor;

	/**
	 * Creates the binder.
	 * @param monitor the monitor whose nodes are measured
	 */
	public TopologyMetrics(TopologyMonitor monitor) {
		this.monitor = monitor;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		List<HostAndPort> nodes = this.monitor.snapshot().nodes().stream().map(NodeStatus::node).toList();
		Map<HostAndPort, Counter> roleChanges = new LinkedHashMap<>();
		for (HostAndPort node : nodes) {
			String tag = node.toString();
			Gauge.builder(TandemMeters.NODE_LAG, () -> lagSeconds(node))
				.description("Replay lag of a standby; NaN when unknown")
				.baseUnit("seconds")
				.tag(TandemMeters.NODE, tag)
				.strongReference(true)
				.register(registry);
			Gauge.builder(TandemMeters.NODE_LAG_BYTES, () -> lagBytes(node))
				.description("Bytes of WAL a standby has yet to replay; NaN when unknown")
				.baseUnit(BaseUnits.BYTES)
				.tag(TandemMeters.NODE, tag)
				.strongReference(true)
				.register(registry);
			Gauge.builder(TandemMeters.NODE_ROUND_TRIP, () -> roundTripSeconds(node))
				.description("Round trip of the node's checks, smoothed; NaN before it is measured")
				.baseUnit("seconds")
				.tag(TandemMeters.NODE, tag)
				.strongReference(true)
				.register(registry);
			Gauge.builder(TandemMeters.NODE_IN_ROTATION, () -> inRotation(node))
				.description("1 when the node serves reads as a standby, else 0")
				.tag(TandemMeters.NODE, tag)
				.strongReference(true)
				.register(registry);
			roleChanges.put(node,
					Counter.builder(TandemMeters.NODE_ROLE_CHANGES)
						.description("Role changes of a node: promotions, former primaries back as standbys")
						.tag(TandemMeters.NODE, tag)
						.register(registry));
		}
		Gauge.builder(TandemMeters.READERS_IN_ROTATION, this::readersInRotation)
			.description("Standbys that serve reads")
			.strongReference(true)
			.register(registry);
		this.monitor.addListener(new RoleChanges(Map.copyOf(roleChanges)));
		this.monitor.addListener(new ServerMeters(registry));
	}

	private double lagSeconds(HostAndPort node) {
		NodeStatus status = this.monitor.snapshot().statusOf(node);
		return (status != null && status.replayLag() != null) ? NodeFacts.seconds(status.replayLag()) : Double.NaN;
	}

	private double lagBytes(HostAndPort node) {
		NodeStatus status = this.monitor.snapshot().statusOf(node);
		return (status != null && status.lagBytes() != null) ? status.lagBytes() : Double.NaN;
	}

	private double roundTripSeconds(HostAndPort node) {
		long nanos = this.monitor.roundTripNanos(node);
		return (nanos >= 0) ? nanos / 1_000_000_000.0 : Double.NaN;
	}

	private double inRotation(HostAndPort node) {
		NodeStatus status = this.monitor.snapshot().statusOf(node);
		return (status != null && status.inRotation()) ? 1 : 0;
	}

	private double readersInRotation() {
		return this.monitor.snapshot().inRotation().size();
	}

	private double serverLagSeconds(HostAndPort node, HostAndPort server) {
		NodeStatus status = serverStatus(node, server);
		return (status != null && status.replayLag() != null) ? NodeFacts.seconds(status.replayLag()) : Double.NaN;
	}

	private double serverInRotation(HostAndPort node, HostAndPort server) {
		NodeStatus status = serverStatus(node, server);
		return (status != null && status.inRotation()) ? 1 : 0;
	}

	private @Nullable NodeStatus serverStatus(HostAndPort node, HostAndPort server) {
		NodeStatus status = this.monitor.snapshot().statusOf(node);
		return (status != null) ? status.server(server) : null;
	}

	/**
	 * Registers the meters of each server when it is first seen behind an endpoint;
	 * called under the monitor's lock.
	 */
	private final class ServerMeters implements TopologyListener {

		private final MeterRegistry registry;

		private final Set<HostAndPort> registered = new HashSet<>();

		ServerMeters(MeterRegistry registry) {
			this.registry = registry;
		}

		@Override
		public void snapshotPublished(TopologySnapshot snapshot) {
			for (NodeStatus status : snapshot.nodes()) {
				for (NodeStatus server : status.servers()) {
					if (this.registered.add(server.node())) {
						register(status.node(), server.node());
					}
				}
			}
		}

		private void register(HostAndPort node, HostAndPort server) {
			Gauge.builder(TandemMeters.SERVER_LAG, () -> serverLagSeconds(node, server))
				.description("Replay lag of a server behind a load-balanced endpoint; NaN when unknown")
				.baseUnit("seconds")
				.tag(TandemMeters.NODE, node.toString())
				.tag(TandemMeters.SERVER, server.toString())
				.strongReference(true)
				.register(this.registry);
			Gauge.builder(TandemMeters.SERVER_IN_ROTATION, () -> serverInRotation(node, server))
				.description("1 when a server behind a load-balanced endpoint serves reads, else 0")
				.tag(TandemMeters.NODE, node.toString())
				.tag(TandemMeters.SERVER, server.toString())
				.strongReference(true)
				.register(this.registry);
		}

	}

	/** Counts role changes; called under the monitor's lock, so it only increments. */
	private static final class RoleChanges implements TopologyListener {

		private final Map<HostAndPort, Counter> counters;

		RoleChanges(Map<HostAndPort, Counter> counters) {
			this.counters = counters;
		}

		@Override
		public void roleChanged(NodeStatus previous, NodeStatus current) {
			Counter counter = this.counters.get(current.node());
			if (counter != null) {
				counter.increment();
			}
		}

	}

}
