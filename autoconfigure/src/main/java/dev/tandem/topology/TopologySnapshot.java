package dev.tandem.topology;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.tandem.url.HostAndPort;

/**
 * Immutable view of every node as of its latest check. The routing path reads it from
 * memory; it never causes I/O.
 *
 * @param nodes the status of every node, in configuration order
 * @param takenAt when this snapshot was assembled
 */
public record TopologySnapshot(List<NodeStatus> nodes, Instant takenAt) {

	public TopologySnapshot {
		nodes = List.copyOf(nodes);
	}

	/**
	 * A snapshot in which no node has been checked.
	 * @param nodes the nodes
	 * @return the snapshot
	 */
	public static TopologySnapshot unchecked(List<HostAndPort> nodes) {
		return new TopologySnapshot(nodes.stream().map(NodeStatus::unchecked).toList(), Instant.EPOCH);
	}

	/**
	 * The reachable primary, if any. When a split brain shows two, the first in
	 * configuration order is returned.
	 * @return the primary
	 */
	public Optional<NodeStatus> primary() {
		return this.nodes.stream().filter(NodeStatus::isPrimary).findFirst();
	}

	/**
	 * The reachable standbys, in configuration order.
	 * @return the standbys
	 */
	public List<NodeStatus> standbys() {
		return this.nodes.stream().filter(NodeStatus::isStandby).toList();
	}

	/**
	 * The status of one node.
	 * @param node the node
	 * @return its status, if the node is part of the cluster
	 */
	public Optional<NodeStatus> node(HostAndPort node) {
		return this.nodes.stream().filter((status) -> status.node().equals(node)).findFirst();
	}

}
