package dev.tandem.routing;

import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

import dev.tandem.pool.PoolFailureListener;
import dev.tandem.pool.PrimaryGate;
import dev.tandem.pool.SqlStates;
import dev.tandem.pool.TandemPools;
import dev.tandem.topology.NodeRole;
import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.Rotation;
import dev.tandem.topology.TopologyListener;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.topology.TopologySnapshot;
import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ties the pools to the topology, both ways.
 * <ul>
 * <li>The writer's {@link PrimaryGate} follows the snapshots: down while every node has
 * been checked and none is a reachable primary, up as soon as one is.</li>
 * <li>When a node that answered stops answering (its check failed or timed out), every
 * connection on it is aborted, so that calls running on a node that froze fail at once
 * instead of waiting for it; a reader connection that fails with a connection error does
 * the same for its node.</li>
 * <li>When a node becomes primary or stops being one, every writer connection is retired,
 * so that none stays on a demoted node.</li>
 * <li>A reader connection that fails because its node went away makes that standby
 * suspect at once; a write refused with SQLState 25006, or a writer connection that fails
 * with a connection error, makes the monitor check every node now.</li>
 * </ul>
 */
public final class FailoverListener implements TopologyListener, PoolFailureListener {

	private static final Logger logger = LoggerFactory.getLogger(FailoverListener.class);

	private final TopologyMonitor monitor;

	private volatile @Nullable TandemPools pools;

	/** The nodes that answered their latest check; used on the monitor's threads only. */
	private final Set<HostAndPort> answering = new HashSet<>();

	/**
	 * Creates the listener; {@link #attach(TandemPools)} completes it.
	 * @param monitor the topology monitor
	 */
	public FailoverListener(TopologyMonitor monitor) {
		this.monitor = monitor;
	}

	/**
	 * Starts acting on the pools and listening to the monitor, beginning with its current
	 * snapshot.
	 * @param pools the pools, created with this listener as their failure listener
	 */
	public void attach(TandemPools pools) {
		this.pools = pools;
		this.monitor.addListener(this);
	}

	@Override
	public void snapshotPublished(TopologySnapshot snapshot) {
		TandemPools current = this.pools;
		if (current == null) {
			return;
		}
		PrimaryGate gate = current.primaryGate();
		if (snapshot.primaryDown()) {
			if (gate.isUp()) {
				logger.warn("No primary is reachable; writes fail at once until one is: {}", snapshot.describe());
			}
			gate.primaryDown(snapshot.describe());
		}
		else if (snapshot.primary().isPresent()) {
			NodeStatus primary = snapshot.primary().get();
			if (!gate.isUp()) {
				logger.info("Primary {} is reachable; writes resume", primary.node());
			}
			gate.primaryUp(primary.checkedAt());
		}
		for (NodeStatus status : snapshot.nodes()) {
			if (status.reachable()) {
				this.answering.add(status.node());
			}
			else if (status.rotation() == Rotation.UNREACHABLE && this.answering.remove(status.node())) {
				current.abortConnections(status.node(), "it stopped answering (" + status.error() + ")");
			}
		}
	}

	@Override
	public void roleChanged(NodeStatus previous, NodeStatus current) {
		TandemPools pools = this.pools;
		if (pools != null && (previous.role() == NodeRole.PRIMARY || current.role() == NodeRole.PRIMARY)) {
			logger.info("Node {} changed from {} to {}; retiring every writer connection", current.node(),
					previous.role(), current.role());
			pools.evictWriterConnections();
		}
	}

	@Override
	public void readerFailed(HostAndPort node, SQLException failure) {
		String reason = failure.getMessage() + " (SQLState " + failure.getSQLState() + ")";
		this.monitor.suspect(node, reason);
		TandemPools current = this.pools;
		if (current != null && SqlStates.isConnectionFailure(failure)) {
			current.abortConnections(node, "a connection to it failed: " + reason);
		}
	}

	@Override
	public void readerReached(HostAndPort node, HostAndPort server) {
		this.monitor.serverSeen(node, server);
	}

	@Override
	public void writerFailed(SQLException failure) {
		logger.debug("A writer connection failed ({}); checking every node now", failure.getMessage());
		this.monitor.requestCheckAll();
	}

	@Override
	public void writerReadOnly(SQLException failure) {
		logger.warn("A write was refused as read-only on the writer pool ({}); checking every node now",
				failure.getMessage());
		this.monitor.requestCheckAll();
	}

}
