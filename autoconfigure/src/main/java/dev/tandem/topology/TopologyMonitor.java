package dev.tandem.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tandem.url.HostAndPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every node each interval, each node on its own schedule so that a slow node
 * never delays the others, and publishes an immutable {@link TopologySnapshot} after
 * every check. {@link #snapshot()} is a memory read.
 */
public final class TopologyMonitor implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(TopologyMonitor.class);

	private final List<HostAndPort> nodes;

	private final NodeProbe probe;

	private final Duration interval;

	private final Map<HostAndPort, NodeStatus> latest;

	private final ScheduledExecutorService executor;

	private volatile TopologySnapshot snapshot;

	/**
	 * Creates a monitor; nothing is checked before {@link #start(Duration)}.
	 * @param nodes the nodes to check, in configuration order
	 * @param probe how to check one node
	 * @param interval time between the end of one check of a node and the start of the
	 * next
	 */
	public TopologyMonitor(List<HostAndPort> nodes, NodeProbe probe, Duration interval) {
		if (nodes.isEmpty()) {
			throw new IllegalArgumentException("At least one node is required");
		}
		if (interval.isNegative() || interval.isZero()) {
			throw new IllegalArgumentException("Check interval must be positive, was " + interval);
		}
		this.nodes = List.copyOf(nodes);
		this.probe = probe;
		this.interval = interval;
		this.latest = new LinkedHashMap<>();
		this.nodes.forEach((node) -> this.latest.put(node, NodeStatus.unchecked(node)));
		this.snapshot = TopologySnapshot.unchecked(this.nodes);
		this.executor = Executors.newScheduledThreadPool(this.nodes.size(), new DaemonThreads());
	}

	/**
	 * Checks every node once, in parallel, waiting at most {@code firstCheckTimeout},
	 * then keeps checking on schedule. Nodes that did not answer in time are reported
	 * unreachable until their check completes.
	 * @param firstCheckTimeout bound on the first round of checks
	 * @return the first snapshot
	 */
	public TopologySnapshot start(Duration firstCheckTimeout) {
		List<CompletableFuture<Void>> first = new ArrayList<>();
		for (HostAndPort node : this.nodes) {
			first.add(CompletableFuture.runAsync(() -> checkNow(node), this.executor));
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
		long millis = this.interval.toMillis();
		for (HostAndPort node : this.nodes) {
			this.executor.scheduleWithFixedDelay(() -> checkNow(node), millis, millis, TimeUnit.MILLISECONDS);
		}
		return this.snapshot;
	}

	private void checkNow(HostAndPort node) {
		NodeStatus status;
		try {
			status = this.probe.check(node);
		}
		catch (RuntimeException ex) {
			status = NodeStatus.unreachable(node, String.valueOf(ex.getMessage()));
		}
		publish(status);
	}

	private void publish(NodeStatus status) {
		synchronized (this.latest) {
			NodeStatus previous = this.latest.put(status.node(), status);
			if (previous != null && previous.role() != status.role()) {
				logger.info("Node {} is now {} (was {})", status.node(), describe(status), describe(previous));
			}
			this.snapshot = new TopologySnapshot(new ArrayList<>(this.latest.values()), Instant.now());
		}
	}

	private static String describe(NodeStatus status) {
		return status.reachable() ? status.role().toString() : "unreachable";
	}

	/**
	 * The latest snapshot; a memory read.
	 * @return the snapshot
	 */
	public TopologySnapshot snapshot() {
		return this.snapshot;
	}

	/**
	 * Stops checking, and closes the probe when it holds resources.
	 */
	@Override
	public void close() {
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
