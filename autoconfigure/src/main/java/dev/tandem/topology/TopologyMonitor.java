package dev.tandem.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every node each interval (with a jitter of a tenth of the interval, so that many
 * instances do not check in step), four times as often while no primary is known, and
 * publishes an immutable {@link TopologySnapshot} after every check. {@link #snapshot()}
 * is a memory read.
 * <p>
 * Each node is checked by one probe at a time: a node that does not answer holds up only
 * its own checks, never the others' and never the application's threads. A check asked
 * for while one runs is coalesced into one more check right after it.
 * <p>
 * A standby leaves the reader rotation when its check fails, when its lag exceeds the
 * {@link LagLimit}, or at once when the application reports it {@link #suspect suspect}
 * (a connection to it failed); it comes back after a check, started after the suspicion,
 * finds it healthy and well under the limit.
 */
public final class TopologyMonitor implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(TopologyMonitor.class);

	private final List<HostAndPort> nodes;

	private final Set<HostAndPort> readerNodes;

	private final NodeProbe probe;

	/** The shortest time between two checks while no primary is known. */
	private static final long NO_PRIMARY_FLOOR_MILLIS = 50;

	private final Duration interval;

	private final LagLimit lagLimit;

	private final Map<HostAndPort, NodeStatus> latest = new LinkedHashMap<>();

	/** The last primary seen, kept while none is reachable. */
	private @Nullable Position lastPrimary;

	private final Map<HostAndPort, Tracker> trackers = new LinkedHashMap<>();

	private final List<TopologyListener> listeners = new CopyOnWriteArrayList<>();

	private final ScheduledExecutorService executor;

	private volatile TopologySnapshot snapshot;

	private volatile boolean closed;

	/**
	 * Creates a monitor; nothing is checked before {@link #start(Duration)}.
	 * @param nodes the nodes to check, in configuration order
	 * @param readerNodes the nodes that may serve reads when they are standbys
	 * @param probe how to check one node
	 * @param interval time between the end of one check of a node and the start of the
	 * next
	 * @param lagLimit how far behind a standby may be and still serve reads
	 */
	public TopologyMonitor(List<HostAndPort> nodes, Set<HostAndPort> readerNodes, NodeProbe probe, Duration interval,
			LagLimit lagLimit) {
		if (nodes.isEmpty()) {
			throw new IllegalArgumentException("At least one node is required");
		}
		if (interval.isNegative() || interval.isZero()) {
			throw new IllegalArgumentException("Check interval must be positive, was " + interval);
		}
		this.nodes = List.copyOf(nodes);
		this.readerNodes = Set.copyOf(readerNodes);
		this.probe = probe;
		this.interval = interval;
		this.lagLimit = lagLimit;
		for (HostAndPort node : this.nodes) {
			this.latest.put(node, NodeStatus.unchecked(node));
			this.trackers.put(node, new Tracker());
		}
		this.snapshot = TopologySnapshot.unchecked(this.nodes);
		this.executor = Executors.newScheduledThreadPool(this.nodes.size() + 1, new DaemonThreads());
	}

	/**
	 * Registers a listener. It hears the current snapshot at once, then every snapshot
	 * published from now on.
	 * @param listener the listener
	 */
	public void addListener(TopologyListener listener) {
		synchronized (this.latest) {
			this.listeners.add(listener);
			listener.snapshotPublished(this.snapshot);
		}
	}

	/**
	 * Checks every node once, in parallel, waiting at most {@code firstCheckTimeout},
	 * then keeps checking on schedule. Nodes that did not answer in time stay unchecked
	 * until their check completes.
	 * @param firstCheckTimeout bound on the first round of checks
	 * @return the first snapshot
	 */
	public TopologySnapshot start(Duration firstCheckTimeout) {
		List<CompletableFuture<Void>> first = new ArrayList<>();
		for (HostAndPort node : this.nodes) {
			Tracker tracker = this.trackers.get(node);
			first.add(CompletableFuture.runAsync(() -> {
				// Through the same guard as every later check: one probe at a time.
				tracker.pending.set(true);
				if (tracker.checking.compareAndSet(false, true)) {
					checkWhilePending(node, tracker);
				}
			}, this.executor));
		}
		try {
			CompletableFuture.allOf(first.toArray(CompletableFuture[]::new))
				.get(firstCheckTimeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			logger.warn("Not every node answered its first check within {}", firstCheckTimeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException ex) {
			logger.warn("First topology check failed", ex.getCause());
		}
		this.nodes.forEach(this::scheduleNext);
		return this.snapshot;
	}

	private void scheduleNext(HostAndPort node) {
		long millis = this.interval.toMillis();
		if (this.snapshot.primary().isEmpty()) {
			// No primary: writes fail until one is seen, so look four times as often.
			millis = Math.max(Math.min(millis, NO_PRIMARY_FLOOR_MILLIS), millis / 4);
		}
		long jitter = millis / 10;
		long delay = millis + ((jitter > 0) ? ThreadLocalRandom.current().nextLong(-jitter, jitter + 1) : 0);
		try {
			this.executor.schedule(() -> {
				try {
					requestCheck(node);
				}
				finally {
					if (!this.closed) {
						scheduleNext(node);
					}
				}
			}, delay, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Closed meanwhile.
		}
	}

	/**
	 * Checks a node now, or right after the check that is running, without waiting for
	 * it.
	 * @param node the node
	 */
	public void requestCheck(HostAndPort node) {
		Tracker tracker = this.trackers.get(node);
		if (tracker == null || this.closed) {
			return;
		}
		tracker.pending.set(true);
		if (tracker.checking.compareAndSet(false, true)) {
			try {
				this.executor.execute(() -> checkWhilePending(node, tracker));
			}
			catch (RejectedExecutionException ex) {
				tracker.checking.set(false);
			}
		}
	}

	/**
	 * Checks every node now, each as {@link #requestCheck(HostAndPort)} does.
	 */
	public void requestCheckAll() {
		this.nodes.forEach(this::requestCheck);
	}

	private void checkWhilePending(HostAndPort node, Tracker tracker) {
		try {
			while (tracker.pending.getAndSet(false) && !this.closed) {
				checkOnce(node);
			}
		}
		finally {
			tracker.checking.set(false);
		}
		// A request that came after the loop's last look but before the flag was reset.
		if (tracker.pending.get()) {
			requestCheck(node);
		}
	}

	private void checkOnce(HostAndPort node) {
		long started = System.nanoTime();
		Instant startedAt = Instant.now();
		NodeStatus status;
		try {
			status = this.probe.check(node);
		}
		catch (RuntimeException ex) {
			status = NodeStatus.unreachable(node, String.valueOf(ex.getMessage()));
		}
		publish(status, started, startedAt);
	}

	/**
	 * Takes a standby out of the reader rotation at once, because a connection to it
	 * failed, and checks it again. It comes back when a check that started after this
	 * call finds it healthy. A primary is only rechecked.
	 * @param node the node
	 * @param reason what failed, for the logs and the health details
	 */
	public void suspect(HostAndPort node, String reason) {
		Tracker tracker = this.trackers.get(node);
		if (tracker == null) {
			return;
		}
		synchronized (this.latest) {
			NodeStatus current = this.latest.get(node);
			if (current.isStandby() && current.rotation() != Rotation.SUSPECT) {
				tracker.suspectedAt = System.nanoTime();
				logger.info("Standby {} is suspect and leaves the reader rotation until it is checked again: {}", node,
						reason);
				store(current.judged(current.lagBytes(), Rotation.SUSPECT, reason));
			}
		}
		requestCheck(node);
	}

	private void publish(NodeStatus checked, long started, Instant startedAt) {
		synchronized (this.latest) {
			HostAndPort node = checked.node();
			Tracker tracker = this.trackers.get(node);
			NodeStatus previous = this.latest.get(node);
			if (previous.rotation() == Rotation.SUSPECT && checked.reachable() && started - tracker.suspectedAt < 0) {
				// This check began before the failure that made the node suspect.
				return;
			}
			NodeStatus status = judge(checked, tracker, startedAt);
			NodeStatus lastAnswered = tracker.lastAnswered;
			if (status.reachable()) {
				tracker.lastAnswered = status;
			}
			if (previous.reachable() != status.reachable() || previous.role() != status.role()) {
				logger.info("Node {} is now {} (was {})", node, describe(status), describe(previous));
			}
			if (previous.rotation() != status.rotation() && previous.rotation() != Rotation.UNCHECKED
					&& (previous.inRotation() || status.inRotation())) {
				logger.info("Standby {} {} the reader rotation ({})", node, status.inRotation() ? "rejoins" : "leaves",
						status.inRotation() ? describeLag(status)
								: status.rotation() + ((status.error() != null) ? ": " + status.error() : ""));
			}
			store(status);
			if (lastAnswered != null && status.reachable() && lastAnswered.role() != status.role()) {
				if (status.role() == NodeRole.PRIMARY) {
					newPrimary(node);
				}
				for (TopologyListener listener : this.listeners) {
					listener.roleChanged(lastAnswered, status);
				}
			}
		}
	}

	/**
	 * A new primary: every other node must be seen receiving WAL before it serves reads
	 * again. A standby that could not follow the new timeline stays where it was,
	 * possibly at positions beyond the new primary's that hold other transactions.
	 */
	private void newPrimary(HostAndPort primary) {
		this.trackers.forEach((node, tracker) -> {
			if (!node.equals(primary)) {
				tracker.unconfirmed = true;
				tracker.baseSettled = false;
				tracker.unconfirmedSince = Instant.now();
				NodeStatus last = tracker.lastAnswered;
				tracker.unconfirmedBase = (last != null && last.role() == NodeRole.STANDBY) ? received(last) : null;
				NodeStatus current = this.latest.get(node);
				if (current.isStandby() && current.rotation() == Rotation.IN_ROTATION) {
					store(current.judged(current.lagBytes(), Rotation.UNCONFIRMED, null));
				}
			}
		});
		logger.info("New primary {}: standby positions are trusted again once each is seen receiving from it", primary);
	}

	private static @Nullable Lsn received(NodeStatus standby) {
		return (standby.receiveLsn() != null) ? standby.receiveLsn() : standby.walLsn();
	}

	private boolean confirmed(NodeStatus standby, Tracker tracker, Instant startedAt) {
		if (!tracker.unconfirmed) {
			return true;
		}
		Lsn received = received(standby);
		if (received == null) {
			return false;
		}
		if (!tracker.baseSettled) {
			// Where it stood once the new primary was seen: a check that started earlier
			// may predate the last of the old primary's WAL it received, which is no sign
			// of following the new one.
			if (tracker.unconfirmedBase == null || received.compareTo(tracker.unconfirmedBase) > 0) {
				tracker.unconfirmedBase = received;
			}
			tracker.baseSettled = tracker.unconfirmedSince == null || startedAt.isAfter(tracker.unconfirmedSince);
			return false;
		}
		if (received.compareTo(tracker.unconfirmedBase) > 0) {
			tracker.unconfirmed = false;
			tracker.unconfirmedBase = null;
			tracker.unconfirmedSince = null;
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
	 */
	private @Nullable Duration lag(NodeStatus standby, Tracker tracker, Instant startedAt) {
		Duration replayLag = standby.replayLag();
		Position reference = reference();
		Lsn received = received(standby);
		if (reference == null || received == null) {
			return replayLag;
		}
		boolean behindPrimary = received.compareTo(reference.lsn()) < 0;
		if ((!behindPrimary && reference.seenAt().isBefore(startedAt)) || tracker.caughtUpAt == null) {
			// Counted from the first sight of it, if it never caught up since.
			tracker.caughtUpAt = standby.checkedAt();
		}
		if (!behindPrimary) {
			return replayLag;
		}
		Duration stalled = Duration.between(tracker.caughtUpAt, standby.checkedAt());
		if (stalled.compareTo(this.interval.multipliedBy(2)) <= 0) {
			return replayLag;
		}
		return (replayLag == null || stalled.compareTo(replayLag) > 0) ? stalled : replayLag;
	}

	private NodeStatus judge(NodeStatus status, Tracker tracker, Instant startedAt) {
		if (!status.reachable()) {
			return status.judged(null, Rotation.UNREACHABLE, status.error());
		}
		if (status.role() != NodeRole.STANDBY) {
			tracker.lagging = false;
			return status.judged(null, Rotation.PRIMARY, null);
		}
		Long lagBytes = lagBytes(status);
		Duration lag = lag(status, tracker, startedAt);
		if (lag != status.replayLag()) {
			status = status.withReplayLag(lag);
		}
		tracker.lagging = this.lagLimit.lagging(tracker.lagging, lag, lagBytes);
		if (!this.readerNodes.contains(status.node())) {
			return status.judged(lagBytes, Rotation.NOT_A_READER, null);
		}
		if (tracker.lagging || leftBehind(status)) {
			return status.judged(lagBytes, Rotation.LAGGING, null);
		}
		if (!confirmed(status, tracker, startedAt)) {
			// Not seen receiving from the new primary for longer than the lag limit: as
			// far behind as a lagging standby, as far as anyone can tell.
			boolean overdue = !this.lagLimit.maxLag().isZero() && tracker.unconfirmedSince != null
					&& Duration.between(tracker.unconfirmedSince, status.checkedAt())
						.compareTo(this.lagLimit.maxLag()) > 0;
			return status.judged(lagBytes, overdue ? Rotation.LAGGING : Rotation.UNCONFIRMED, null);
		}
		return status.judged(lagBytes, Rotation.IN_ROTATION, null);
	}

	private @Nullable Long lagBytes(NodeStatus standby) {
		Lsn replayed = standby.walLsn();
		NodeStatus primary = knownPrimary();
		return (replayed != null && primary != null) ? Math.max(0, primary.walLsn().value() - replayed.value()) : null;
	}

	/**
	 * The position every standby should have received, and when it was seen: the
	 * primary's; while none is reachable (every node checked), the furthest of the last
	 * primary's and the standbys' received positions. The caller holds the lock.
	 */
	private @Nullable Position reference() {
		NodeStatus primary = knownPrimary();
		if (primary != null) {
			this.lastPrimary = new Position(primary.walLsn(), primary.checkedAt());
			return this.lastPrimary;
		}
		Position furthest = this.lastPrimary;
		if (!this.snapshot.primaryDown()) {
			// Not yet every node checked (startup): standbys' positions taken a moment
			// apart say nothing yet.
			return furthest;
		}
		for (NodeStatus status : this.latest.values()) {
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
	private boolean leftBehind(NodeStatus standby) {
		if (!this.snapshot.primaryDown()) {
			return false;
		}
		Position reference = reference();
		Lsn received = received(standby);
		return reference != null && received != null && received.compareTo(reference.lsn()) < 0;
	}

	/** A WAL position and when it was seen. */
	private record Position(Lsn lsn, Instant seenAt) {

	}

	/** The reachable primary whose position is known; the caller holds the lock. */
	private @Nullable NodeStatus knownPrimary() {
		for (NodeStatus status : this.latest.values()) {
			if (status.isPrimary() && status.walLsn() != null) {
				return status;
			}
		}
		return null;
	}

	/** Stores a status and publishes the snapshot; the caller holds the lock. */
	private void store(NodeStatus status) {
		this.latest.put(status.node(), status);
		TopologySnapshot published = new TopologySnapshot(new ArrayList<>(this.latest.values()), Instant.now());
		this.snapshot = published;
		for (TopologyListener listener : this.listeners) {
			listener.snapshotPublished(published);
		}
	}

	private static String describe(NodeStatus status) {
		return status.reachable() ? status.role().toString() : status.rotation().toString();
	}

	private static String describeLag(NodeStatus status) {
		return "replay lag " + ((status.replayLag() != null) ? status.replayLag().toMillis() + " ms" : "unknown") + ", "
				+ ((status.lagBytes() != null) ? status.lagBytes() + " bytes" : "bytes unknown");
	}

	/**
	 * The latest snapshot; a memory read.
	 * @return the snapshot
	 */
	public TopologySnapshot snapshot() {
		return this.snapshot;
	}

	/**
	 * The time between checks of a node.
	 * @return the interval
	 */
	public Duration interval() {
		return this.interval;
	}

	/**
	 * The lag limit standbys are held to.
	 * @return the limit
	 */
	public LagLimit lagLimit() {
		return this.lagLimit;
	}

	/**
	 * Stops checking, and closes the probe when it holds resources.
	 */
	@Override
	public void close() {
		this.closed = true;
		this.executor.shutdownNow();
		try {
			this.executor.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (this.probe instanceof AutoCloseable closeable) {
			try {
				closeable.close();
			}
			catch (Exception ex) {
				logger.debug("Closing the node probe failed", ex);
			}
		}
	}

	/** What the monitor keeps per node besides its latest status. */
	private static final class Tracker {

		final AtomicBoolean checking = new AtomicBoolean();

		final AtomicBoolean pending = new AtomicBoolean();

		/** Guarded by the monitor's lock. */
		boolean lagging;

		/** Guarded by the monitor's lock. */
		long suspectedAt = System.nanoTime();

		/**
		 * When the standby last had received everything the primary had; guarded by the
		 * monitor's lock.
		 */
		@Nullable Instant caughtUpAt;

		/**
		 * Whether, after a change of primary, the node has yet to be seen receiving WAL;
		 * guarded by the monitor's lock.
		 */
		boolean unconfirmed;

		/**
		 * What it had received when the primary changed; guarded by the monitor's lock.
		 */
		@Nullable Lsn unconfirmedBase;

		/**
		 * Whether {@link #unconfirmedBase} comes from a check started after the change.
		 */
		boolean baseSettled;

		/** When the primary changed; guarded by the monitor's lock. */
		@Nullable Instant unconfirmedSince;

		/** The last status in which the node answered; guarded by the monitor's lock. */
		@Nullable NodeStatus lastAnswered;

	}

	private static final class DaemonThreads implements ThreadFactory {

		private final AtomicInteger count = new AtomicInteger();

		@Override
		public Thread newThread(Runnable task) {
			Thread thread = new Thread(task, "tandem-topology-" + this.count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		}

	}

}
