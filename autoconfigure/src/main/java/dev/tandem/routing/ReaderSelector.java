package dev.tandem.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

import dev.tandem.wal.Lsn;
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

	/**
	 * The least margin over the fastest round trip within which a node counts as near.
	 */
	static final long NEAREST_MARGIN_NANOS = 1_000_000;

	private final ReadTarget target;

	private final ReadBalance balance;

	private final ToIntFunction<HostAndPort> activeConnections;

	private final ReadZones zones;

	private final ToLongFunction<HostAndPort> roundTripNanos;

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
		this(target, balance, activeConnections, ReadZones.NONE, (node) -> -1);
	}

	/**
	 * Creates a selector.
	 * @param target where reads may go
	 * @param balance how reads spread over standbys
	 * @param activeConnections connections in use per host, for
	 * {@link ReadBalance#LEAST_ACTIVE}
	 * @param zones the nodes' zones, and this instance's
	 * @param roundTripNanos each node's measured round trip in nanoseconds, negative when
	 * not known, for {@link ReadBalance#NEAREST} and for reads that leave their zone
	 */
	public ReaderSelector(ReadTarget target, ReadBalance balance, ToIntFunction<HostAndPort> activeConnections,
			ReadZones zones, ToLongFunction<HostAndPort> roundTripNanos) {
		this.target = target;
		this.balance = balance;
		this.activeConnections = activeConnections;
		this.zones = zones;
		this.roundTripNanos = roundTripNanos;
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
			case PREFER_PRIMARY ->
				(primary.isEmpty() && !standbys.isEmpty()) ? standby(standbys, ReadChoice.Reason.PRIMARY_DOWN)
						: new ReadChoice(primary.orElse(null), ReadChoice.Reason.TARGET);
			case PREFER_STANDBY ->
				standbys.isEmpty() ? new ReadChoice(primary.orElse(null), ReadChoice.Reason.NO_STANDBY)
						: standby(standbys, ReadChoice.Reason.STANDBY);
			case STANDBY -> {
				if (standbys.isEmpty()) {
					throw new NoStandbyAvailableException(
							"No standby can serve this read-only work and tandem.reads.target is 'standby'. Topology: "
									+ snapshot.describe());
				}
				yield standby(standbys, ReadChoice.Reason.STANDBY);
			}
			case ANY -> any(standbys, primary);
		};
	}

	/**
	 * A standby among eligible ones: of the read's zone when one of them is, else the
	 * nearest of the others; spread by the balance strategy.
	 * @param standbys the eligible standbys, not empty
	 * @param reason the reason when no zone applies; {@link ReadChoice.Reason#STANDBY}
	 * becomes {@link ReadChoice.Reason#ZONE} or {@link ReadChoice.Reason#OTHER_ZONE}
	 */
	private ReadChoice standby(List<HostAndPort> standbys, ReadChoice.Reason reason) {
		String zone = this.zones.current();
		if (zone == null) {
			return new ReadChoice(pick(standbys), reason);
		}
		List<HostAndPort> inZone = inZone(standbys, zone);
		if (!inZone.isEmpty()) {
			return new ReadChoice(pick(inZone),
					(reason == ReadChoice.Reason.STANDBY) ? ReadChoice.Reason.ZONE : reason);
		}
		return new ReadChoice(pick(nearest(standbys)),
				(reason == ReadChoice.Reason.STANDBY) ? ReadChoice.Reason.OTHER_ZONE : reason);
	}

	private List<HostAndPort> inZone(List<HostAndPort> nodes, String zone) {
		List<HostAndPort> inZone = new ArrayList<>(nodes.size());
		for (HostAndPort node : nodes) {
			if (zone.equals(this.zones.zoneOf(node))) {
				inZone.add(node);
			}
		}
		return inZone;
	}

	/**
	 * The nodes whose measured round trip is within a margin of the fastest: the larger
	 * of {@link #NEAREST_MARGIN_NANOS} and half the fastest. All of them when none is
	 * measured yet; nodes not measured yet are left out when others are.
	 */
	private List<HostAndPort> nearest(List<HostAndPort> nodes) {
		if (nodes.size() < 2) {
			return nodes;
		}
		long fastest = Long.MAX_VALUE;
		for (HostAndPort node : nodes) {
			long roundTrip = this.roundTripNanos.applyAsLong(node);
			if (roundTrip >= 0 && roundTrip < fastest) {
				fastest = roundTrip;
			}
		}
		if (fastest == Long.MAX_VALUE) {
			return nodes;
		}
		long limit = fastest + Math.max(NEAREST_MARGIN_NANOS, fastest / 2);
		List<HostAndPort> nearest = new ArrayList<>(nodes.size());
		for (HostAndPort node : nodes) {
			long roundTrip = this.roundTripNanos.applyAsLong(node);
			if (roundTrip >= 0 && roundTrip <= limit) {
				nearest.add(node);
			}
		}
		return nearest;
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
				return new ReadChoice(standby(replayed, ReadChoice.Reason.CONSISTENT_STANDBY).node(),
						ReadChoice.Reason.CONSISTENT_STANDBY);
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
		String zone = this.zones.current();
		List<HostAndPort> inZone = (zone != null) ? inZone(all, zone) : List.of();
		HostAndPort node = pick(inZone.isEmpty() ? all : inZone);
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
			case NEAREST -> {
				List<HostAndPort> nearest = nearest(candidates);
				yield nearest.get(Math.floorMod(this.turn.getAndIncrement(), nearest.size()));
			}
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
	 * The zones.
	 * @return the zones
	 */
	public ReadZones zones() {
		return this.zones;
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
