package dev.tandem.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

import dev.tandem.topology.Lsn;
import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.TopologySnapshot;
import dev.tandem.url.HostAndPort;
import dev.tandem.url.ReadTarget;
import org.jspecify.annotations.Nullable;

/**
 * Chooses the node for a read-only connection from a topology snapshot, the read target
 * and the balance strategy. Pure decision logic: no I/O.
 */
public final class ReaderSelector {

	private final ReadTarget target;

	private final ReadBalance balance;

	private final ToIntFunction<HostAndPort> activeConnections;

	private final AtomicInteger turn = new AtomicInteger();

	private volatile @Nullable Candidates candidates;

	/**
	 * Creates a selector.
	 * @param target where reads may go
	 * @param balance how reads spread over standbys
	 * @param activeConnections connections in use per host, for
	 * {@link ReadBalance#LEAST_ACTIVE}
	 */
	public ReaderSelector(ReadTarget target, ReadBalance balance, ToIntFunction<HostAndPort> activeConnections) {
		this.target = target;
		this.balance = balance;
		this.activeConnections = activeConnections;
	}

	/**
	 * Chooses where a read goes, among the standbys in rotation.
	 * @param snapshot the latest topology
	 * @return the choice
	 * @throws NoStandbyAvailableException when the target is {@code standby} and no
	 * standby is eligible
	 */
	public ReadChoice choose(TopologySnapshot snapshot) throws NoStandbyAvailableException {
		Candidates candidates = this.candidates;
		if (candidates == null || candidates.snapshot() != snapshot) {
			// The snapshot changes once per check; reads in between reuse its candidates.
			candidates = Candidates.of(snapshot, (node) -> true);
			this.candidates = candidates;
		}
		return choose(candidates);
	}

	/**
	 * Chooses where a read goes, among the standbys in rotation that {@code allowed}
	 * accepts.
	 * @param snapshot the latest topology
	 * @param allowed which standbys may be chosen, e.g. not one that just failed
	 * @return the choice
	 * @throws NoStandbyAvailableException when the target is {@code standby} and no
	 * standby is eligible
	 */
	public ReadChoice choose(TopologySnapshot snapshot, Predicate<HostAndPort> allowed)
			throws NoStandbyAvailableException {
		return choose(Candidates.of(snapshot, allowed));
	}

	private ReadChoice choose(Candidates candidates) throws NoStandbyAvailableException {
		List<HostAndPort> standbys = candidates.standbys();
		Optional<HostAndPort> primary = candidates.primary();
		TopologySnapshot snapshot = candidates.snapshot();
		return switch (this.target) {
			case PRIMARY -> new ReadChoice(primary.orElse(null), ReadChoice.Reason.TARGET);
			case PREFER_PRIMARY -> (primary.isEmpty() && !standbys.isEmpty())
					? new ReadChoice(pick(standbys), ReadChoice.Reason.PRIMARY_DOWN)
					: new ReadChoice(primary.orElse(null), ReadChoice.Reason.TARGET);
			case PREFER_STANDBY ->
				standbys.isEmpty() ? new ReadChoice(primary.orElse(null), ReadChoice.Reason.NO_STANDBY)
						: new ReadChoice(pick(standbys), ReadChoice.Reason.STANDBY);
			case STANDBY -> {
				if (standbys.isEmpty()) {
					throw new NoStandbyAvailableException(
							"No standby can serve this read-only work and tandem.reads.target is 'standby'. Topology: "
									+ snapshot.describe());
				}
				yield new ReadChoice(pick(standbys), ReadChoice.Reason.STANDBY);
			}
			case ANY -> any(standbys, primary);
		};
	}

	/**
	 * Chooses where a read that must see a recent write goes, after {@link #choose}
	 * picked a standby for it: a standby the snapshot shows has replayed {@code lsn},
	 * else the standby furthest ahead (to be checked on its connection), else the
	 * primary.
	 * @param snapshot the latest topology
	 * @param lsn the WAL position the read must see, or {@code null} when it must go to
	 * the primary
	 * @return the choice: {@link ReadChoice.Reason#CONSISTENT_STANDBY} or
	 * {@link ReadChoice.Reason#CONSISTENCY_PRIMARY}
	 */
	public ReadChoice chooseConsistent(TopologySnapshot snapshot, @Nullable Lsn lsn) {
		return chooseConsistent(snapshot, lsn, (node) -> true);
	}

	/**
	 * As {@link #chooseConsistent(TopologySnapshot, Lsn)}, among the standbys that
	 * {@code allowed} accepts.
	 * @param snapshot the latest topology
	 * @param lsn the WAL position the read must see, or {@code null} when it must go to
	 * the primary
	 * @param allowed which standbys may be chosen
	 * @return the choice
	 */
	public ReadChoice chooseConsistent(TopologySnapshot snapshot, @Nullable Lsn lsn, Predicate<HostAndPort> allowed) {
		if (lsn != null) {
			List<NodeStatus> standbys = snapshot.inRotation();
			List<HostAndPort> replayed = new ArrayList<>(standbys.size());
			NodeStatus furthest = null;
			for (NodeStatus standby : standbys) {
				if (!allowed.test(standby.node()) || !standby.rotation().positionTrusted()) {
					continue;
				}
				Lsn walLsn = standby.walLsn();
				if (walLsn != null && walLsn.compareTo(lsn) >= 0) {
					replayed.add(standby.node());
				}
				if (walLsn != null && (furthest == null || walLsn.compareTo(furthest.walLsn()) > 0)) {
					furthest = standby;
				}
			}
			if (!replayed.isEmpty()) {
				return new ReadChoice(pick(replayed), ReadChoice.Reason.CONSISTENT_STANDBY);
			}
			if (furthest != null) {
				return new ReadChoice(furthest.node(), ReadChoice.Reason.CONSISTENT_STANDBY);
			}
		}
		return new ReadChoice(snapshot.primary().map(NodeStatus::node).orElse(null),
				ReadChoice.Reason.CONSISTENCY_PRIMARY);
	}

	private ReadChoice any(List<HostAndPort> standbys, Optional<HostAndPort> primary) {
		List<HostAndPort> all = new ArrayList<>(standbys);
		primary.ifPresent(all::add);
		if (all.isEmpty()) {
			return new ReadChoice(null, ReadChoice.Reason.NO_STANDBY);
		}
		HostAndPort node = pick(all);
		return new ReadChoice(node, (primary.isPresent() && node.equals(primary.get())) ? ReadChoice.Reason.TARGET
				: ReadChoice.Reason.STANDBY);
	}

	private HostAndPort pick(List<HostAndPort> candidates) {
		int size = candidates.size();
		if (size == 1) {
			return candidates.get(0);
		}
		return switch (this.balance) {
			case ROUND_ROBIN -> candidates.get(Math.floorMod(this.turn.getAndIncrement(), size));
			case RANDOM -> candidates.get(ThreadLocalRandom.current().nextInt(size));
			case LEAST_ACTIVE -> leastActive(candidates);
		};
	}

	private HostAndPort leastActive(List<HostAndPort> candidates) {
		// Start at a rotating offset so that ties do not always favour the first node.
		int size = candidates.size();
		int start = Math.floorMod(this.turn.getAndIncrement(), size);
		HostAndPort best = candidates.get(start);
		int bestActive = this.activeConnections.applyAsInt(best);
		for (int i = 1; i < size; i++) {
			HostAndPort candidate = candidates.get((start + i) % size);
			int active = this.activeConnections.applyAsInt(candidate);
			if (active < bestActive) {
				best = candidate;
				bestActive = active;
			}
		}
		return best;
	}

	/**
	 * The read target.
	 * @return the target
	 */
	public ReadTarget target() {
		return this.target;
	}

	/**
	 * The balance strategy.
	 * @return the strategy
	 */
	public ReadBalance balance() {
		return this.balance;
	}

	/**
	 * What a snapshot offers for reads.
	 *
	 * @param snapshot the snapshot
	 * @param standbys the standbys in rotation that may be chosen
	 * @param primary the reachable primary, if any
	 */
	private record Candidates(TopologySnapshot snapshot, List<HostAndPort> standbys, Optional<HostAndPort> primary) {

		static Candidates of(TopologySnapshot snapshot, Predicate<HostAndPort> allowed) {
			return new Candidates(snapshot,
					snapshot.inRotation().stream().map(NodeStatus::node).filter(allowed).toList(),
					snapshot.primary().map(NodeStatus::node));
		}

	}

}
