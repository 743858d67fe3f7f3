package dev.tandem.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.tandem.url.HostAndPort;
import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;

/**
 * What the latest check of one node found, and what the monitor made of it.
 *
 * @param node the node checked
 * @param reachable whether the check got an answer
 * @param role the role the node reported, {@link NodeRole#UNKNOWN} when unreachable
 * @param walLsn the primary's current WAL position, or the standby's replay position
 * @param receiveLsn on a standby, the last WAL position received from its upstream
 * @param replayTimestamp on a standby, the commit time of the last transaction replayed
 * @param replayLag on a standby, how long ago the last replayed transaction committed
 * while more WAL waits to be replayed; zero when everything received is replayed (an idle
 * primary is not lag); for a standby that stopped receiving WAL while the primary moved
 * on, how long since it last had everything the primary had; {@code null} when unknown
 * @param lagBytes on a standby, the primary's last known WAL position minus this node's
 * replay position, at least zero; {@code null} when no primary is known
 * @param rotation whether the node serves reads, and if not, why not
 * @param checkedAt when the check finished
 * @param error why the check failed or the node is suspect, when it did or is
 * @param server the server that answered, as it names itself ({@code inet_server_addr()}
 * and {@code inet_server_port()}), when known: behind a load-balanced endpoint, not the
 * node's own address
 * @param serverStartedAt when the server that answered was started
 * ({@code pg_postmaster_start_time()}), when known: it tells one run of a server from the
 * next, and a standby's replay position may go back from one run to the next (crash
 * recovery starts again from its last restartpoint)
 * @param servers for a node that turned out to be an endpoint in front of several servers
 * (connections to it reached more than one), the latest status of each server seen behind
 * it, each judged on its own; empty for a node that is one server
 */
public record NodeStatus(HostAndPort node, boolean reachable, NodeRole role, @Nullable Lsn walLsn,
		@Nullable Lsn receiveLsn, @Nullable Instant replayTimestamp, @Nullable Duration replayLag,
		@Nullable Long lagBytes, Rotation rotation, Instant checkedAt, @Nullable String error,
		@Nullable HostAndPort server, @Nullable Instant serverStartedAt, List<NodeStatus> servers) {

	public NodeStatus {
		servers = List.copyOf(servers);
	}

	/**
	 * A status of a node that is one server, or whose server is not known.
	 * @param node the node checked
	 * @param reachable whether the check got an answer
	 * @param role the role the node reported
	 * @param walLsn the primary's current WAL position, or the standby's replay position
	 * @param receiveLsn on a standby, the last WAL position received
	 * @param replayTimestamp on a standby, the commit time of the last replayed
	 * transaction
	 * @param replayLag on a standby, the replay lag in time
	 * @param lagBytes on a standby, the replay lag in bytes
	 * @param rotation whether the node serves reads
	 * @param checkedAt when the check finished
	 * @param error why the check failed or the node is suspect
	 */
	public NodeStatus(HostAndPort node, boolean reachable, NodeRole role, @Nullable Lsn walLsn,
			@Nullable Lsn receiveLsn, @Nullable Instant replayTimestamp, @Nullable Duration replayLag,
			@Nullable Long lagBytes, Rotation rotation, Instant checkedAt, @Nullable String error) {
		this(node, reachable, role, walLsn, receiveLsn, replayTimestamp, replayLag, lagBytes, rotation, checkedAt,
				error, null, null, List.of());
	}

	/**
	 * Status of a node that has not been checked yet.
	 * @param node the node
	 * @return an unreachable status of unknown role
	 */
	public static NodeStatus unchecked(HostAndPort node) {
		return new NodeStatus(node, false, NodeRole.UNKNOWN, null, null, null, null, null, Rotation.UNCHECKED,
				Instant.EPOCH, "not checked yet");
	}

	/**
	 * Status of a node whose check failed.
	 * @param node the node
	 * @param error why
	 * @return an unreachable status of unknown role
	 */
	public static NodeStatus unreachable(HostAndPort node, String error) {
		return new NodeStatus(node, false, NodeRole.UNKNOWN, null, null, null, null, null, Rotation.UNREACHABLE,
				Instant.now(), error);
	}

	/**
	 * Status of a node that answered its check. Its rotation is provisional until the
	 * monitor has compared it with the primary and the lag limit.
	 * @param node the node
	 * @param role its role
	 * @param walLsn its current (primary) or replayed (standby) WAL position
	 * @param receiveLsn on a standby, the last position received
	 * @param replayTimestamp on a standby, the commit time of the last replayed
	 * transaction
	 * @param replayLag on a standby, the replay lag in time, when known
	 * @return the status
	 */
	public static NodeStatus answered(HostAndPort node, NodeRole role, @Nullable Lsn walLsn, @Nullable Lsn receiveLsn,
			@Nullable Instant replayTimestamp, @Nullable Duration replayLag) {
		return new NodeStatus(node, true, role, walLsn, receiveLsn, replayTimestamp, replayLag, null,
				(role == NodeRole.PRIMARY) ? Rotation.PRIMARY : Rotation.IN_ROTATION, Instant.now(), null);
	}

	/**
	 * This status with the monitor's verdict.
	 * @param lagBytes the replay lag in bytes, when known
	 * @param rotation whether the node serves reads
	 * @param error why it does not, when that is a failure
	 * @return the new status
	 */
	public NodeStatus judged(@Nullable Long lagBytes, Rotation rotation, @Nullable String error) {
		return new NodeStatus(this.node, this.reachable, this.role, this.walLsn, this.receiveLsn, this.replayTimestamp,
				this.replayLag, lagBytes, rotation, this.checkedAt, error, this.server, this.serverStartedAt,
				this.servers);
	}

	/**
	 * This status with the server that answered.
	 * @param server the server, as it names itself
	 * @param serverStartedAt when that server was started, when known
	 * @return the new status
	 */
	public NodeStatus withServer(@Nullable HostAndPort server, @Nullable Instant serverStartedAt) {
		return new NodeStatus(this.node, this.reachable, this.role, this.walLsn, this.receiveLsn, this.replayTimestamp,
				this.replayLag, this.lagBytes, this.rotation, this.checkedAt, this.error, server, serverStartedAt,
				this.servers);
	}

	/**
	 * This status with the servers seen behind the node.
	 * @param servers the status of each server
	 * @return the new status
	 */
	public NodeStatus withServers(List<NodeStatus> servers) {
		return new NodeStatus(this.node, this.reachable, this.role, this.walLsn, this.receiveLsn, this.replayTimestamp,
				this.replayLag, this.lagBytes, this.rotation, this.checkedAt, this.error, this.server,
				this.serverStartedAt, servers);
	}

	/**
	 * This status with another WAL position and rotation, for an endpoint whose servers
	 * decide them.
	 */
	NodeStatus withPosition(@Nullable Lsn walLsn, Rotation rotation) {
		return new NodeStatus(this.node, this.reachable, this.role, walLsn, this.receiveLsn, this.replayTimestamp,
				this.replayLag, this.lagBytes, rotation, this.checkedAt, this.error, this.server, this.serverStartedAt,
				this.servers);
	}

	/**
	 * Whether the node is an endpoint in front of several servers, each with its own
	 * status.
	 * @return whether servers were seen behind it
	 */
	public boolean isEndpoint() {
		return !this.servers.isEmpty();
	}

	/**
	 * The latest status of one server seen behind this endpoint.
	 * @param server the server, as it names itself
	 * @return its status, or {@code null} when it was not seen
	 */
	public @Nullable NodeStatus server(HostAndPort server) {
		for (NodeStatus status : this.servers) {
			if (status.node().equals(server)) {
				return status;
			}
		}
		return null;
	}

	/**
	 * This status with another replay lag.
	 * @param replayLag the lag
	 * @return the new status
	 */
	public NodeStatus withReplayLag(@Nullable Duration replayLag) {
		return new NodeStatus(this.node, this.reachable, this.role, this.walLsn, this.receiveLsn, this.replayTimestamp,
				replayLag, this.lagBytes, this.rotation, this.checkedAt, this.error, this.server, this.serverStartedAt,
				this.servers);
	}

	/**
	 * Whether the node answered and is a hot standby, in rotation or not.
	 * @return whether the node is a reachable standby
	 */
	public boolean isStandby() {
		return this.reachable && this.role == NodeRole.STANDBY;
	}

	/**
	 * Whether the node answered and is a primary.
	 * @return whether the node is a reachable primary
	 */
	public boolean isPrimary() {
		return this.reachable && this.role == NodeRole.PRIMARY;
	}

	/**
	 * Whether the node serves reads as a standby.
	 * @return whether it is in the reader rotation
	 */
	public boolean inRotation() {
		return this.rotation.inRotation();
	}

}
