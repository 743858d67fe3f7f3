package dev.tandem.topology;

import java.time.Instant;

import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;

/**
 * What one check of one node found.
 *
 * @param node the node checked
 * @param reachable whether the check got an answer
 * @param role the role the node reported, {@link NodeRole#UNKNOWN} when unreachable
 * @param walLsn the primary's current WAL position, or the standby's replay position
 * @param receiveLsn on a standby, the last WAL position received from its upstream
 * @param replayTimestamp on a standby, the commit time of the last transaction replayed
 * @param checkedAt when the check finished
 * @param error why the check failed, when it did
 */
public record NodeStatus(HostAndPort node, boolean reachable, NodeRole role, @Nullable Lsn walLsn,
		@Nullable Lsn receiveLsn, @Nullable Instant replayTimestamp, Instant checkedAt, @Nullable String error) {

	/**
	 * Status of a node that has not been checked yet.
	 * @param node the node
	 * @return an unreachable status of unknown role
	 */
	public static NodeStatus unchecked(HostAndPort node) {
		return new NodeStatus(node, false, NodeRole.UNKNOWN, null, null, null, Instant.EPOCH, "not checked yet");
	}

	/**
	 * Status of a node whose check failed.
	 * @param node the node
	 * @param error why
	 * @return an unreachable status of unknown role
	 */
	public static NodeStatus unreachable(HostAndPort node, String error) {
		return new NodeStatus(node, false, NodeRole.UNKNOWN, null, null, null, Instant.now(), error);
	}

	/**
	 * Whether the node answered and is a hot standby.
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

}
