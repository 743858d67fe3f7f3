package dev.tandem.topology;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;

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
	 * The standbys that serve reads: reachable, close enough behind, not suspect, in
	 * configuration order.
	 * @return the standbys in rotation
	 */
	public List<NodeStatus> inRotation() {
		return this.nodes.stream().filter(NodeStatus::inRotation).toList();
	}

	/**
	 * Whether every node has been checked and none is a reachable primary: writes cannot
	 * succeed now.
	 * @return whether the primary is known to be down
	 */
	public boolean primaryDown() {
		return this.nodes.stream().noneMatch((status) -> status.isPrimary() || status.rotation() == Rotation.UNCHECKED);
	}

	/**
	 * One line per node, for messages: host, role or failure.
	 * @return the description
	 */
	public String describe() {
		return this.nodes.stream()
			.map((status) -> status.node() + " "
					+ (status.reachable() ? status.role() + " (" + status.rotation() + ")"
							: status.rotation() + ((status.error() != null) ? " (" + status.error() + ")" : "")))
			.collect(java.util.stream.Collectors.joining(", "));
	}

	/**
	 * The status of one node.
	 * @param node the node
	 * @return its status, if the node is part of the cluster
	 */
	public Optional<NodeStatus> node(HostAndPort node) {
		return Optional.ofNullable(statusOf(node));
	}

	/**
	 * The status of one node, without allocating: asked several times per read and by
	 * every meter.
	 * @param node the node
	 * @return its status, or {@code null} if the node is not part of the cluster
	 */
	public @Nullable NodeStatus statusOf(HostAndPort node) {
		for (NodeStatus status : this.nodes) {
			if (status.node().equals(node)) {
				return status;
			}
		}
		return null;
	}

}
