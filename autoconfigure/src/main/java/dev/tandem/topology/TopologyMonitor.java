package dev.tandem.topology;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
 * instances do not check in step), ten times as often (at most every 50 ms) while no
 * primary is known, and publishes an immutable {@link TopologySnapshot} after every
 * check. {@link #snapshot()} is a memory read.
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

	private final NodeProbe probe;

	private final Map<HostAndPort, Long> roundTrips = new ConcurrentHashMap<>();

	/** The shortest time between two checks while no primary is known. */
	private static final long NO_PRIMARY_FLOOR_MILLIS = 50;

	private final Duration interval;

	private final LagLimit lagLimit;

	/** When checks start; the judge's clock too, so that their times compare. */
	private final Clock clock = Clock.systemUTC();

	private final Map<HostAndPort, NodeStatus> latest = new LinkedHashMap<>();

	private final Map<HostAndPort, Tracker> trackers = new LinkedHashMap<>();

	/** What each check comes to; guarded by the monitor's lock. */
	private final NodeJudge judge;

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
		this.probe = probe;
		this.interval = interval;
		this.lagLimit = lagLimit;
		for (HostAndPort node : this.nodes) {
			this.latest.put(node, NodeStatus.unchecked(node));
			this.trackers.put(node, new Tracker());
		}
		this.judge = new NodeJudge(this.nodes, readerNodes, interval, lagLimit, this.clock);
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

	/**
	 * The time between two checks of a node, before the jitter of a tenth of it.
	 * @param interval the check interval
	 * @param primaryKnown whether the latest snapshot knows a primary
	 * @return the delay in milliseconds
	 */
	static long checkDelayMillis(Duration interval, boolean primaryKnown) {
		long millis = interval.toMillis();
		if (!primaryKnown) {
			// No primary: writes fail until one is seen, so look ten times as often: a
			// promotion is seen within a tenth of the interval.
			millis = Math.max(Math.min(millis, NO_PRIMARY_FLOOR_MILLIS), millis / 10);
		}
		return millis;
	}

	private void scheduleNext(HostAndPort node) {
		long millis = checkDelayMillis(this.interval, this.snapshot.primary().isPresent());
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

	/**
	 * Folds a measured round trip into the node's smoothed one (a quarter of each new
	 * measure), so that one slow check does not move reads.
	 */
	private void smoothRoundTrip(HostAndPort node, long measured) {
		if (measured >= 0) {
			this.roundTrips.merge(node, measured, (smoothed, latest) -> smoothed + (latest - smoothed) / 4);
		}
	}

	/**
	 * A node's round trip, measured by its checks on an open connection and smoothed.
	 * @param node the node
	 * @return nanoseconds, or -1 when not measured yet
	 */
	public long roundTripNanos(HostAndPort node) {
		return this.roundTrips.getOrDefault(node, -1L);
	}

	private void checkOnce(HostAndPort node) {
		long started = System.nanoTime();
		Instant startedAt = this.clock.instant();
		NodeStatus status;
		try {
			status = this.probe.check(node);
		}
		catch (RuntimeException ex) {
			status = NodeStatus.unreachable(node, String.valueOf(ex.getMessage()));
		}
		if (status.reachable()) {
			smoothRoundTrip(node, this.probe.lastRoundTripNanos(node));
		}
		publish(status, started, startedAt);
		if (reconnectDue(node)) {
			this.probe.reconnect(node);
		}
	}

	/**
	 * Whether the probe should open a new connection to the node before its next check:
	 * behind a load-balanced endpoint the probe's connection reaches one server, and a
	 * new one may reach another. While a reader standby is out of rotation, every third
	 * check, so that an endpoint whose probe sits on a lagging server finds the servers
	 * that can serve (and is seen to be an endpoint at all); for an endpoint in rotation,
	 * every tenth, so that each server's verdict stays fresh. A node that is one server
	 * just gets the same server back.
	 */
	private boolean reconnectDue(HostAndPort node) {
		synchronized (this.latest) {
			NodeStatus status = this.latest.get(node);
			Tracker tracker = this.trackers.get(node);
			boolean reader = status.isStandby() && status.rotation() != Rotation.NOT_A_READER;
			int every = !reader ? 0 : !status.inRotation() ? 3 : status.isEndpoint() ? 10 : 0;
			if (every == 0 || ++tracker.checksOnConnection < every) {
				return false;
			}
			tracker.checksOnConnection = 0;
			return true;
		}
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
			NodeJudge.Verdict verdict = this.judge.judge(checked, startedAt, this.snapshot);
			NodeStatus status = verdict.status();
			if (!previous.isEndpoint() && previous.reachable() && status.reachable() && previous.server() != null
					&& status.server() != null && !previous.server().equals(status.server())) {
				// The probe's new connection reached another server: the node is an
				// endpoint, and what the probe had seen is a check of the other one.
				previous = previous.withServers(becameEndpoint(previous, status.server()));
			}
			if (previous.isEndpoint()) {
				// The probe reached one of the endpoint's servers: a check of that
				// server.
				List<NodeStatus> servers = previous.servers();
				if (status.reachable() && status.server() != null) {
					servers = replaced(servers,
							this.judge.judgeServer(node, asServer(checked), startedAt, this.snapshot));
				}
				status = endpoint(status, servers);
			}
			logTransition(previous, status);
			store(status);
			NodeStatus roleChangedFrom = verdict.roleChangedFrom();
			if (roleChangedFrom != null) {
				if (status.role() == NodeRole.PRIMARY) {
					verdict.unconfirmed().forEach(this::store);
					logger.info(
							"New primary {}: standby positions are trusted again once each is seen receiving from it",
							node);
				}
				for (TopologyListener listener : this.listeners) {
					listener.roleChanged(roleChangedFrom, status);
				}
			}
		}
	}

	/**
	 * A connection to a node reached a server: when it is not the server the probe
	 * reaches, the node is an endpoint in front of several servers, and reads through it
	 * are held to the server their connection reached (checked on it, as it is not known
	 * yet). Costs nothing when it is the probe's server.
	 * @param node the node the connection was made to
	 * @param server the server it reached, as the server names itself
	 */
	public void serverSeen(HostAndPort node, HostAndPort server) {
		synchronized (this.latest) {
			NodeStatus current = this.latest.get(node);
			if (current == null || current.isEndpoint() || !current.reachable() || current.server() == null
					|| current.server().equals(server)) {
				return;
			}
			store(endpoint(current, becameEndpoint(current, server)));
		}
	}

	/**
	 * Judges what a check of one server behind an endpoint found, made on a connection
	 * that reached it through the endpoint, and publishes it beneath the endpoint: the
	 * first server other than the one the probe reaches makes the node an endpoint, whose
	 * servers are each held to the lag limit on their own.
	 * @param endpoint the node the connection was made to
	 * @param checked what the check found; its node is the endpoint and its server the
	 * server that answered
	 * @param startedAt when the check started
	 * @return the server's verdict, its node being the server
	 */
	public NodeStatus serverChecked(HostAndPort endpoint, NodeStatus checked, Instant startedAt) {
		synchronized (this.latest) {
			NodeStatus current = this.latest.get(endpoint);
			if (current == null || checked.server() == null) {
				throw new IllegalArgumentException("No server of a known node was checked: " + checked);
			}
			List<NodeStatus> servers = current.servers();
			if (servers.isEmpty()) {
				if (checked.server().equals(current.server())) {
					// Still the server the probe reaches: not (yet) an endpoint.
					return asServer(current);
				}
				servers = becameEndpoint(current, checked.server());
			}
			NodeStatus server = this.judge.judgeServer(endpoint, asServer(checked), startedAt, this.snapshot);
			NodeStatus before = current.server(server.node());
			if (before != null && before.inRotation() != server.inRotation()) {
				logger.info("Server {} behind {} {} the reader rotation ({})", server.node(), endpoint,
						server.inRotation() ? "rejoins" : "leaves",
						server.inRotation() ? describeLag(server) : server.rotation());
			}
			store(endpoint(current, replaced(servers, server)));
			return server;
		}
	}

	/**
	 * A node seen to be an endpoint: another server than the one in its latest status
	 * answered through it. Returns its servers so far: the one of its latest status,
	 * judged as a server from that check, when it answered.
	 */
	private List<NodeStatus> becameEndpoint(NodeStatus current, @Nullable HostAndPort other) {
		logger.info("Node {} is an endpoint in front of several servers ({} and {}); "
				+ "each is held to the lag limit on its own", current.node(), current.server(), other);
		if (!current.reachable() || current.server() == null) {
			return List.of();
		}
		return List.of(this.judge.judgeServer(current.node(), asServer(current), current.checkedAt(), this.snapshot));
	}

	/**
	 * The endpoint's status with its servers: in rotation while any server seen lately
	 * is, at the position of the one furthest ahead (the read itself is held to the
	 * server its connection reached); else as its servers are.
	 */
	private NodeStatus endpoint(NodeStatus status, List<NodeStatus> servers) {
		NodeStatus withServers = status.withServers(servers);
		if (!status.isStandby() || status.rotation() == Rotation.SUSPECT) {
			return withServers;
		}
		Instant recent = this.clock.instant().minus(this.interval.multipliedBy(3));
		NodeStatus best = null;
		NodeStatus any = null;
		for (NodeStatus server : servers) {
			if (!server.checkedAt().isAfter(recent)) {
				continue;
			}
			any = (any != null) ? any : server;
			if (server.inRotation() && (best == null || (server.walLsn() != null
					&& (best.walLsn() == null || server.walLsn().compareTo(best.walLsn()) > 0)))) {
				best = server;
			}
		}
		if (best != null) {
			return withServers.withPosition(best.walLsn(), best.rotation());
		}
		return (any != null) ? withServers.withPosition(status.walLsn(), any.rotation()) : withServers;
	}

	private static List<NodeStatus> replaced(List<NodeStatus> servers, NodeStatus server) {
		List<NodeStatus> replaced = new ArrayList<>(servers.size() + 1);
		boolean found = false;
		for (NodeStatus existing : servers) {
			boolean same = existing.node().equals(server.node());
			replaced.add(same ? server : existing);
			found |= same;
		}
		if (!found) {
			replaced.add(server);
		}
		return replaced;
	}

	/** A check of a node as a check of the server that answered it. */
	private static NodeStatus asServer(NodeStatus status) {
		HostAndPort server = (status.server() != null) ? status.server() : status.node();
		return new NodeStatus(server, status.reachable(), status.role(), status.walLsn(), status.receiveLsn(),
				status.replayTimestamp(), status.replayLag(), status.lagBytes(), status.rotation(), status.checkedAt(),
				status.error(), server, status.serverStartedAt(), List.of());
	}

	private static void logTransition(NodeStatus previous, NodeStatus status) {
		HostAndPort node = status.node();
		if (previous.reachable() != status.reachable() || previous.role() != status.role()) {
			logger.info("Node {} is now {} (was {})", node, describe(status), describe(previous));
		}
		if (previous.rotation() != status.rotation() && previous.rotation() != Rotation.UNCHECKED
				&& (previous.inRotation() || status.inRotation())) {
			logger.info("Standby {} {} the reader rotation ({})", node, status.inRotation() ? "rejoins" : "leaves",
					status.inRotation() ? describeLag(status)
							: status.rotation() + ((status.error() != null) ? ": " + status.error() : ""));
		}
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

	/** How the monitor schedules the checks of one node, and when it became suspect. */
	private static final class Tracker {

		final AtomicBoolean checking = new AtomicBoolean();

		final AtomicBoolean pending = new AtomicBoolean();

		/** Guarded by the monitor's lock. */
		long suspectedAt = System.nanoTime();

		/** Checks since the probe last reconnected; guarded by the monitor's lock. */
		int checksOnConnection;

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
