package dev.tandem.actuate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.tandem.pool.TandemPools;
import dev.tandem.routing.ReadZones;
import dev.tandem.routing.ReaderSelector;
import dev.tandem.topology.LagLimit;
import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.topology.TopologySnapshot;
import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code tandem} Actuator endpoint: the routing settings in force, the latest
 * topology snapshot and the connections of every pool. Reads memory only: the snapshot
 * and the pools' counters.
 * <p>
 * Durations are written as Spring Boot's properties spell them ({@code 5s},
 * {@code 250ms}); instants in ISO-8601; a replay lag in seconds as a number. Unknown
 * values are {@code null}, which Actuator's own JSON mapper (used for
 * {@link OperationResponseBody} results) leaves out.
 */
@Endpoint(id = "tandem")
public class TandemEndpoint {

	private final TopologyMonitor monitor;

	private final ReaderSelector selector;

	private final TandemPools pools;

	/**
	 * Creates the endpoint.
	 * @param monitor the topology monitor
	 * @param selector the reader selector, for the read target and balance
	 * @param pools the pools
	 */
	public TandemEndpoint(TopologyMonitor monitor, ReaderSelector selector, TandemPools pools) {
		this.monitor = monitor;
		this.selector = selector;
		this.pools = pools;
	}

	/**
	 * Describes the routing settings, the topology and the pools.
	 * @return the description
	 */
	@ReadOperation
	public TandemDescriptor tandem() {
		TopologySnapshot snapshot = this.monitor.snapshot();
		LagLimit lagLimit = this.monitor.lagLimit();
		ReadZones zones = this.selector.zones();
		List<NodeDescriptor> nodes = snapshot.nodes()
			.stream()
			.map((status) -> NodeDescriptor.of(status, zones.zoneOf(status.node()),
					NodeFacts.roundTripMillis(this.monitor, status.node())))
			.toList();
		return new TandemDescriptor(this.selector.target().value(), this.selector.balance().toString(),
				NodeFacts.duration(lagLimit.maxLag()), lagLimit.maxBytes(), NodeFacts.duration(this.monitor.interval()),
				snapshot.primary().map((primary) -> primary.node().toString()).orElse(null), snapshot.primaryDown(),
				NodeFacts.timestamp(snapshot.takenAt()), nodes, describePools(snapshot), zones.home());
	}

	private Map<String, PoolDescriptor> describePools(TopologySnapshot snapshot) {
		Map<String, PoolDescriptor> pools = new LinkedHashMap<>();
		add(pools, this.pools.writer());
		Map<HostAndPort, HikariDataSource> readers = this.pools.readerPools();
		List<HostAndPort> order = new ArrayList<>(snapshot.nodes().stream().map(NodeStatus::node).toList());
		readers.keySet().stream().filter((node) -> !order.contains(node)).forEach(order::add);
		for (HostAndPort node : order) {
			HikariDataSource reader = readers.get(node);
			if (reader != null) {
				add(pools, reader);
			}
		}
		return pools;
	}

	private static void add(Map<String, PoolDescriptor> pools, HikariDataSource pool) {
		HikariPoolMXBean bean = pool.getHikariPoolMXBean();
		if (bean != null) {
			pools.put(pool.getPoolName(), new PoolDescriptor(bean.getActiveConnections(), bean.getIdleConnections(),
					bean.getTotalConnections(), bean.getThreadsAwaitingConnection()));
		}
	}

	/**
	 * What the endpoint returns.
	 *
	 * @param readTarget {@code tandem.reads.target} in force, e.g. {@code prefer-standby}
	 * @param balance {@code tandem.reads.balance}, e.g. {@code round-robin}
	 * @param maxLag {@code tandem.reads.max-lag}, e.g. {@code 5s}; {@code 0s} means no
	 * limit
	 * @param maxLagBytes {@code tandem.reads.max-lag-bytes} in bytes, {@code null} when
	 * unset
	 * @param checkInterval {@code tandem.topology.check-interval}, e.g. {@code 1s}
	 * @param primary the reachable primary as {@code host:port}, {@code null} when none
	 * @param primaryDown whether every node has been checked and none is a reachable
	 * primary
	 * @param takenAt when the snapshot was assembled, {@code null} before the first check
	 * @param nodes every node, in configuration order
	 * @param pools active, idle, total and waiting connections per pool name: the writer,
	 * and each reader pool created so far
	 * @param zone this instance's zone ({@code tandem.reads.zone}), {@code null} when
	 * unset
	 */
	public record TandemDescriptor(String readTarget, String balance, String maxLag, @Nullable Long maxLagBytes,
			String checkInterval, @Nullable String primary, boolean primaryDown, @Nullable String takenAt,
			List<NodeDescriptor> nodes, Map<String, PoolDescriptor> pools,
			@Nullable String zone) implements OperationResponseBody {

	}

	/**
	 * One node as its latest check found it.
	 *
	 * @param node {@code host:port}
	 * @param role {@code primary}, {@code standby} or {@code unknown}
	 * @param reachable whether the node answered its last check
	 * @param state whether the node serves reads, and if not, why not:
	 * {@code in-rotation}, {@code primary}, {@code lagging}, {@code suspect},
	 * {@code unreachable}, {@code unchecked} or {@code not-a-reader}
	 * @param inRotation whether the node serves reads as a standby
	 * @param lagBytes bytes of WAL the standby has yet to replay
	 * @param lagSeconds the standby's replay lag in seconds
	 * @param walLsn the primary's current or the standby's replayed WAL position
	 * @param receiveLsn the standby's last received WAL position
	 * @param replayTimestamp commit time of the last transaction the standby replayed
	 * @param checkedAt when the last check finished
	 * @param error why the last check failed, or why the standby is suspect
	 * @param server the server that answered the last check, as it names itself
	 * ({@code address:port}); behind a load-balanced endpoint, one of its servers
	 * @param servers for a load-balanced endpoint, each server seen behind it, judged on
	 * its own (a read is held to the server its connection reached); empty for a node
	 * that is one server
	 * @param zone the node's zone ({@code tandem.zones}), {@code null} when in none
	 * @param roundTripMs the smoothed round trip of the node's checks in milliseconds,
	 * {@code null} before it is measured
	 */
	public record NodeDescriptor(String node, String role, boolean reachable, String state, boolean inRotation,
			@Nullable Long lagBytes, @Nullable Double lagSeconds, @Nullable String walLsn, @Nullable String receiveLsn,
			@Nullable String replayTimestamp, @Nullable String checkedAt, @Nullable String error,
			@Nullable String server, List<NodeDescriptor> servers, @Nullable String zone,
			@Nullable Double roundTripMs) {

		static NodeDescriptor of(NodeStatus status, @Nullable String zone, @Nullable Double roundTripMs) {
			return new NodeDescriptor(status.node().toString(), status.role().toString(), status.reachable(),
					status.rotation().toString(), status.inRotation(), status.lagBytes(), NodeFacts.lagSeconds(status),
					(status.walLsn() != null) ? status.walLsn().toString() : null,
					(status.receiveLsn() != null) ? status.receiveLsn().toString() : null,
					NodeFacts.timestamp(status.replayTimestamp()), NodeFacts.timestamp(status.checkedAt()),
					status.error(), (status.server() != null) ? status.server().toString() : null,
					status.servers().stream().map((server) -> NodeDescriptor.of(server, null, null)).toList(), zone,
					roundTripMs);
		}

	}

	/**
	 * Connections of one pool, from HikariCP's pool MXBean.
	 *
	 * @param active connections in use
	 * @param idle connections ready to be borrowed
	 * @param total all connections of the pool
	 * @param waiting threads waiting for a connection
	 */
	public record PoolDescriptor(int active, int idle, int total, int waiting) {

	}

}
