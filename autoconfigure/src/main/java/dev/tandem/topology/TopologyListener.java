package dev.tandem.topology;

/**
 * Hears what the {@link TopologyMonitor} finds. Called on the monitor's threads, in
 * order, while the monitor holds its lock: implementations must return quickly and must
 * not call back into the monitor's checks.
 */
public interface TopologyListener {

	/**
	 * A new snapshot was published, after every check and every change of rotation.
	 * @param snapshot the snapshot
	 */
	default void snapshotPublished(TopologySnapshot snapshot) {
	}

	/**
	 * A node answered with a role other than the one it last answered with: a standby was
	 * promoted, or a former primary came back as a standby. A node that becomes
	 * unreachable has not changed its role.
	 * @param previous the node's last status with its former role
	 * @param current its status now
	 */
	default void roleChanged(NodeStatus previous, NodeStatus current) {
	}

}
