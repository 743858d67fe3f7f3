package dev.tandem.topology;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tandem.url.HostAndPort;
import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;

/**
 * Turns what a check of a node found into its verdict: its lag, and whether it serves
 * reads. It remembers what the verdicts depend on across checks: whether each standby
 * lagged, when it last had all the primary had, whether it has been seen following a new
 * primary, and the last primary's position.
 * <p>
 * No threads, no I/O, no time but the checks' own and the clock's, which tells when the
 * primary changed, so that tests can play any sequence of checks. Not thread-safe: the
 * monitor calls it under its lock.
 */
final class NodeJudge {

	private final Set<HostAndPort> readerNodes;

	private final Duration interval;

	private final LagLimit lagLimit;

	private final Clock clock;

	private final Map<HostAndPort, Memory> memories = new LinkedHashMap<>();

	/** What it remembers of each server seen behind an endpoint, by the server's name. */
	private final Map<HostAndPort, Memory> serverMemories = new LinkedHashMap<>();

	/** When the primary last changed, if it did. */
	private @Nullable Instant promotedAt;

	/** The last primary seen, kept while none is reachable. */
	private @Nullable Position lastPrimary;

	/**
	 * Creates a judge that remembers nothing yet.
	 * @param nodes the nodes to judge, in configuration order
	 * @param readerNodes the nodes that may serve reads when they are standbys
	 * @param interval time between two checks of a node
	 * @param lagLimit how far behind a standby may be and still serve reads
	 * @param clock tells when the primary changed
	 */
	NodeJudge(List<HostAndPort> nodes, Set<HostAndPort> readerNodes, Duration interval, LagLimit lagLimit,
			Clock clock) {
		this.readerNodes = Set.copyOf(readerNodes);
		this.interval = interval;
		this.lagLimit = lagLimit;
		this.clock = clock;
		for (HostAndPort node : nodes) {
			this.memories.put(node, new Memory());
		}
	}

	/**
	 * Judges what a check found, against the cluster as last published. When the node
	 * turns out to be a new primary, every other node's position is no longer trusted
	 * until it is seen receiving from it.
	 * @param checked what the check found
	 * @param startedAt when the check started
	 * @param current the latest status of every node, this one's before this check
	 * @return the verdict
	 */
	Verdict judge(NodeStatus checked, Instant startedAt, TopologySnapshot current) {
		HostAndPort node = checked.node();
		Memory memory = memory(node);
		NodeStatus status = judged(checked, memory, startedAt, current, this.readerNodes.contains(node));
		NodeStatus lastAnswered = memory.lastAnswered;
		if (!status.reachable()) {
			return new Verdict(status, null, List.of());
		}
		memory.lastAnswered = status;
		if (lastAnswered == null || lastAnswered.role() == status.role()) {
			return new Verdict(status, null, List.of());
		}
		List<NodeStatus> unconfirmed = (status.role() == NodeRole.PRIMARY) ? newPrimary(node, current) : List.of();
		return new Verdict(status, lastAnswered, unconfirmed);
	}

	/**
	 * Judges what a check of one server behind an endpoint found, on its own, as a node
	 * is judged: its own lag, with the same limits and the same hysteresis, and its own
	 * confirmation after a new primary. A read that reaches that server through the
	 * endpoint is held to this verdict, not the endpoint's.
	 * @param endpoint the node the server was reached through
	 * @param checked what the check found, with the server's name as its node
	 * @param startedAt when the check started
	 * @param current the latest status of every node
	 * @return the server's verdict
	 */
	NodeStatus judgeServer(HostAndPort endpoint, NodeStatus checked, Instant startedAt, TopologySnapshot current) {
		Memory memory = this.serverMemories.computeIfAbsent(checked.node(), (server) -> firstSight());
		NodeStatus status = judged(checked, memory, startedAt, current, this.readerNodes.contains(endpoint));
		if (status.reachable()) {
			memory.lastAnswered = status;
		}
		return status;
	}

	private Memory memory(HostAndPort node) {
		Memory memory = this.memories.get(node);
		if (memory == null) {
			throw new IllegalArgumentException("Node " + node + " is not one of " + this.memories.keySet());
		}
		return memory;
	}

	private NodeStatus judged(NodeStatus status, Memory memory, Instant startedAt, TopologySnapshot current,
			boolean reader) {
		if (!status.reachable()) {
			return status.judged(null, Rotation.UNREACHABLE, status.error());
		}
		if (status.role() != NodeRole.STANDBY) {
			memory.lagging = false;
			return status.judged(null, Rotation.PRIMARY, null);
		}
		Long lagBytes = lagBytes(status, current);
		Duration lag = lag(status, memory, startedAt, current);
		if (lag != status.replayLag()) {
			status = status.withReplayLag(lag);
		}
		memory.lagging = this.lagLimit.lagging(memory.lagging, lag, lagBytes);
		if (!reader) {
			return status.judged(lagBytes, Rotation.NOT_A_READER, null);
		}
		if (memory.lagging || leftBehind(status, current)) {
			return status.judged(lagBytes, Rotation.LAGGING, null);
		}
		if (!confirmed(status, memory, startedAt)) {
			// Not seen receiving from the new primary for longer than the lag limit: as
			// far behind as a lagging standby, as far as anyone can tell.
			boolean overdue = !this.lagLimit.maxLag().isZero() && memory.unconfirmedSince != null
					&& Duration.between(memory.unconfirmedSince, status.checkedAt())
						.compareTo(this.lagLimit.maxLag()) > 0;
			return status.judged(lagBytes, overdue ? Rotation.LAGGING : Rotation.UNCONFIRMED, null);
		}
		return status.judged(lagBytes, Rotation.IN_ROTATION, null);
	}

	/**
	 * A new primary: every other node must be seen receiving WAL before it serves reads
	 * again. A standby that could not follow the new timeline stays where it was,
	 * possibly at positions beyond the new primary's that hold other transactions.
	 * Returns the standbys in rotation, now unconfirmed.
	 */
	private List<NodeStatus> newPrimary(HostAndPort primary, TopologySnapshot current) {
		Instant now = this.clock.instant();
		this.promotedAt = now;
		List<NodeStatus> unconfirmed = new ArrayList<>();
		this.serverMemories.values().forEach((memory) -> unconfirm(memory, now));
		this.memories.forEach((node, memory) -> {
			if (!node.equals(primary)) {
				unconfirm(memory, now);
				current.node(node)
					.filter((status) -> status.isStandby() && status.rotation() == Rotation.IN_ROTATION)
					.ifPresent(
							(status) -> unconfirmed.add(status.judged(status.lagBytes(), Rotation.UNCONFIRMED, null)));
			}
		});
		return unconfirmed;
	}

	/**
	 * The memory of a server seen for the first time. Shortly after a change of primary
	 * it starts unconfirmed, as the nodes did then: it may be stuck on the old timeline,
	 * at positions beyond the new primary's. Long after one (two lag limits, or ten check
	 * intervals without a limit), a server stuck there has fallen behind the primary and
	 * lags like any standby that stopped receiving.
	 */
	private Memory firstSight() {
		Memory memory = new Memory();
		Duration window = this.lagLimit.maxLag().isZero() ? this.interval.multipliedBy(10)
				: this.lagLimit.maxLag().multipliedBy(2);
		if (this.promotedAt != null && this.clock.instant().isBefore(this.promotedAt.plus(window))) {
			unconfirm(memory, this.promotedAt);
		}
		return memory;
	}

	private static void unconfirm(Memory memory, Instant now) {
		memory.unconfirmed = true;
		memory.baseSettled = false;
		memory.unconfirmedSince = now;
		NodeStatus last = memory.lastAnswered;
		memory.unconfirmedBase = (last != null && last.role() == NodeRole.STANDBY) ? received(last) : null;
	}

	private static @Nullable Lsn received(NodeStatus standby) {
		return (standby.receiveLsn() != null) ? standby.receiveLsn() : standby.walLsn();
	}

	private boolean confirmed(NodeStatus standby, Memory memory, Instant startedAt) {
		if (!memory.unconfirmed) {
			return true;
		}
		Lsn received = received(standby);
		if (received == null) {
			return false;
		}
		if (!memory.baseSettled) {
			// Where it stood once the new primary was seen: a check that started earlier
			// may predate the last of the old primary's WAL it received, which is no sign
			// of following the new one.
			if (memory.unconfirmedBase == null || received.compareTo(memory.unconfirmedBase) > 0) {
				memory.unconfirmedBase = received;
			}
			memory.baseSettled = memory.unconfirmedSince == null || startedAt.isAfter(memory.unconfirmedSince);
			return false;
		}
		if (received.compareTo(memory.unconfirmedBase) > 0) {
			memory.unconfirmed = false;
			memory.unconfirmedBase = null;
			memory.unconfirmedSince = null;
			return true;
		}
		return false;
	}

	/**
	 * A standby's lag in time: its replay lag, or, when it has stopped receiving WAL
	 * while the primary moved on (disconnected, or stuck on a timeline it cannot follow),
	 * how long ago it last had everything the primary had. Such a standby has replayed
	 * all it received, so its replay lag alone reads zero. The receive stall counts only
	 * past two check intervals, since the primary and the standby are checked at
	 * different times. While no primary is reachable, the position to have is the
	 * furthest one known: the last primary's, or another standby's that received more (a
	 * synchronous standby holds every acknowledged commit), so a standby left behind when
	 * the primary died lags too.
	 * <p>
	 * A standby that restarted (a new {@code pg_postmaster_start_time()}) may have come
	 * back behind where it was: crash recovery starts again from its last restartpoint,
	 * and a restored standby starts where its copy was taken. Until it is seen with
	 * everything the primary had, the stall counts from its last replayed commit (or from
	 * when its earlier run last had everything, if it replayed none), without the two
	 * intervals' allowance.
	 */
	private @Nullable Duration lag(NodeStatus standby, Memory memory, Instant startedAt, TopologySnapshot current) {
		restarted(standby, memory);
		Duration replayLag = standby.replayLag();
		Position reference = reference(current);
		Lsn received = received(standby);
		if (reference == null || received == null) {
			return replayLag;
		}
		boolean behindPrimary = received.compareTo(reference.lsn()) < 0;
		if (!behindPrimary && reference.seenAt().isBefore(startedAt)) {
			memory.caughtUpAt = standby.checkedAt();
			memory.caughtUpSinceStart = true;
		}
		else if (memory.caughtUpAt == null) {
			// Counted from the first sight of it, if it never caught up since.
			memory.caughtUpAt = standby.checkedAt();
		}
		if (!behindPrimary) {
			return replayLag;
		}
		Duration stalled = Duration.between(memory.caughtUpAt, standby.checkedAt());
		if (memory.caughtUpSinceStart && stalled.compareTo(this.interval.multipliedBy(2)) <= 0) {
			return replayLag;
		}
		return (replayLag == null || stalled.compareTo(replayLag) > 0) ? stalled : replayLag;
	}

	/**
	 * Notes a new run of the standby's server: not yet seen caught up, and, behind, as
	 * old as its last replayed commit.
	 */
	private static void restarted(NodeStatus standby, Memory memory) {
		NodeStatus last = memory.lastAnswered;
		Instant startedAt = standby.serverStartedAt();
		if (last == null || startedAt == null || last.serverStartedAt() == null
				|| startedAt.equals(last.serverStartedAt())) {
			return;
		}
		memory.caughtUpSinceStart = false;
		Instant replayed = standby.replayTimestamp();
		if (replayed != null && (memory.caughtUpAt == null || replayed.isBefore(memory.caughtUpAt))) {
			memory.caughtUpAt = replayed;
		}
	}

	private static @Nullable Long lagBytes(NodeStatus standby, TopologySnapshot current) {
		Lsn replayed = standby.walLsn();
		NodeStatus primary = knownPrimary(current);
		return (replayed != null && primary != null) ? Math.max(0, primary.walLsn().value() - replayed.value()) : null;
	}

	/**
	 * The position every standby should have received, and when it was seen: the
	 * primary's; while none is reachable (every node checked), the furthest of the last
	 * primary's and the standbys' received positions.
	 */
	private @Nullable Position reference(TopologySnapshot current) {
		NodeStatus primary = knownPrimary(current);
		if (primary != null) {
			this.lastPrimary = new Position(primary.walLsn(), primary.checkedAt());
			return this.lastPrimary;
		}
		Position furthest = this.lastPrimary;
		if (!current.primaryDown()) {
			// Not yet every node checked (startup): standbys' positions taken a moment
			// apart say nothing yet.
			return furthest;
		}
		for (NodeStatus status : current.nodes()) {
			Lsn received = (status.reachable() && status.role() == NodeRole.STANDBY) ? received(status) : null;
			if (received != null && (furthest == null || received.compareTo(furthest.lsn()) > 0)) {
				furthest = new Position(received, status.checkedAt());
			}
		}
		return furthest;
	}

	/**
	 * Whether no primary is reachable and the standby has received less than the furthest
	 * known position. With no primary, no WAL flows and positions stand still: such a
	 * standby lacks commits that were acknowledged (the synchronous standby, if any, has
	 * them), however small its replay lag, and would serve reads without them once their
	 * markers expire.
	 */
	private boolean leftBehind(NodeStatus standby, TopologySnapshot current) {
		if (!current.primaryDown()) {
			return false;
		}
		Position reference = reference(current);
		Lsn received = received(standby);
		return reference != null && received != null && received.compareTo(reference.lsn()) < 0;
	}

	/** The reachable primary whose position is known. */
	private static @Nullable NodeStatus knownPrimary(TopologySnapshot current) {
		for (NodeStatus status : current.nodes()) {
			if (status.isPrimary() && status.walLsn() != null) {
				return status;
			}
		}
		return null;
	}

	/**
	 * What one check comes to.
	 *
	 * @param status the node's judged status
	 * @param roleChangedFrom the last status in which the node answered, when it answered
	 * then in another role; {@code null} otherwise
	 * @param unconfirmed when the node is a new primary, the other standbys that were in
	 * rotation, now {@link Rotation#UNCONFIRMED}
	 */
	record Verdict(NodeStatus status, @Nullable NodeStatus roleChangedFrom, List<NodeStatus> unconfirmed) {

	}

	/** A WAL position and when it was seen. */
	private record Position(Lsn lsn, Instant seenAt) {

	}

	/** What the judge remembers of one node between its checks. */
	private static final class Memory {

		/** Whether it was lagging after its previous check. */
		boolean lagging;

		/** When the standby last had received everything the primary had. */
		@Nullable Instant caughtUpAt;

		/**
		 * Whether the standby's server has been seen with everything the primary had
		 * since it last restarted (or since first seen, when no restart was seen).
		 */
		boolean caughtUpSinceStart = true;

		/**
		 * Whether, after a change of primary, the node has yet to be seen receiving WAL.
		 */
		boolean unconfirmed;

		/** What it had received when the primary changed. */
		@Nullable Lsn unconfirmedBase;

		/**
		 * Whether {@link #unconfirmedBase} comes from a check started after the change.
		 */
		boolean baseSettled;

		/** When the primary changed. */
		@Nullable Instant unconfirmedSince;

		/** The last status in which the node answered. */
		@Nullable NodeStatus lastAnswered;

	}

}
