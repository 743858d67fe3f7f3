package dev.tandem.routing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import dev.tandem.consistency.ReadConsistency;
import dev.tandem.consistency.ReadRequirement;
import dev.tandem.pool.PoolFailureListener;
import dev.tandem.topology.JdbcNodeProbe;
import dev.tandem.wal.Lsn;
import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.TopologySnapshot;
import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.datasource.AbstractDataSource;

/**
 * The reader side of the routing {@code DataSource}: each connection comes from the
 * read-only pool of the node that {@link ReaderSelector} chooses from the latest
 * snapshot. When that pool cannot give a connection, its node is reported (it leaves the
 * rotation at once) and the read goes to the next choice: nothing has run yet, so this is
 * safe for any work. When the topology knows no primary and the read must go there, the
 * writer pool serves it with a read-only connection.
 * <p>
 * A read that must see a recent write ({@link ReadConsistency}) goes to a standby that
 * has replayed it: known from the snapshot, or else checked on the borrowed connection of
 * the standby furthest ahead, polling for at most the maximum wait; else to the primary.
 * A standby that did not catch up in time is not waited on again until its next check. A
 * position that the primary is not known to have reached is asked once, without waiting,
 * of the standby furthest ahead; when it has not replayed it, the primary serves.
 * <p>
 * Behind a load-balanced endpoint ({@code tandem.reader.url} on CloudNativePG's
 * {@code -ro} service, an Aurora reader endpoint, HAProxy), each connection may reach
 * another server. Each reader connection knows the server it reached, and a node whose
 * connections reach servers other than the one its probe reaches is an endpoint: a read
 * on it is held to the server its connection reached, never to the endpoint's name. A
 * server is judged on its own, from a check made on the connection when its verdict is
 * older than a check interval; a connection to a server that may not serve (lagging, not
 * a standby) is retired, so that the pool's next one may reach another server, and after
 * two such connections the read moves on to another node. A node that is one server costs
 * no query more than before.
 */
public class ReaderDataSource extends AbstractDataSource {

	private static final Logger logger = LoggerFactory.getLogger(ReaderDataSource.class);

	private static final String REPLAYED_QUERY = "SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn";

	/**
	 * The first pause between two checks of a standby that has not replayed a position
	 * yet: on a healthy standby a commit is usually replayed within a few hundred
	 * microseconds. Each pause doubles, up to {@link #MAX_POLL_NANOS}.
	 */
	private static final long FIRST_POLL_NANOS = 100_000;

	private static final long MAX_POLL_NANOS = 1_000_000;

	/** Connections a read may retire on one endpoint before it moves on. */
	private static final int RETIRES_PER_NODE = 2;

	private final ReaderPools pools;

	private final WriterDataSource writer;

	private final ReaderSelector selector;

	private final Supplier<TopologySnapshot> topology;

	private final PoolFailureListener failures;

	private final RoutingObserver observer;

	private final @Nullable ReadConsistency consistency;

	private final @Nullable ServerChecks servers;

	/**
	 * Standbys that did not catch up in time, with the check time of their status then.
	 */
	private final Map<HostAndPort, Instant> behind = new ConcurrentHashMap<>();

	/**
	 * Creates the reader side.
	 * @param pools the read-only pool of each node
	 * @param writer the writer side, for reads that must go to the primary while the
	 * topology knows none
	 * @param selector chooses the node
	 * @param topology the latest snapshot (a memory read)
	 * @param failures hears a reader pool that cannot give a connection
	 * @param observer hears each decision
	 * @param consistency read-your-writes, or {@code null} for none
	 */
	public ReaderDataSource(ReaderPools pools, WriterDataSource writer, ReaderSelector selector,
			Supplier<TopologySnapshot> topology, PoolFailureListener failures, RoutingObserver observer,
			@Nullable ReadConsistency consistency) {
		this(pools, writer, selector, topology, failures, observer, consistency, null);
	}

	/**
	 * Creates the reader side.
	 * @param pools the read-only pool of each node
	 * @param writer the writer side, for reads that must go to the primary while the
	 * topology knows none
	 * @param selector chooses the node
	 * @param topology the latest snapshot (a memory read)
	 * @param failures hears a reader pool that cannot give a connection
	 * @param observer hears each decision
	 * @param consistency read-your-writes, or {@code null} for none
	 * @param servers judges the servers behind load-balanced endpoints, or {@code null}
	 * to take every node for one server
	 */
	public ReaderDataSource(ReaderPools pools, WriterDataSource writer, ReaderSelector selector,
			Supplier<TopologySnapshot> topology, PoolFailureListener failures, RoutingObserver observer,
			@Nullable ReadConsistency consistency, @Nullable ServerChecks servers) {
		this.servers = servers;
		this.pools = pools;
		this.writer = writer;
		this.selector = selector;
		this.topology = topology;
		this.failures = failures;
		this.observer = observer;
		this.consistency = consistency;
	}

	@Override
	public Connection getConnection() throws SQLException {
		Read read = new Read(this.consistency);
		// A pass that ends without a connection leaves its node out of the next (a failed
		// node for the rest of the read, one that did not catch up until its next check)
		// or sends the read to the primary.
		while (true) {
			TopologySnapshot snapshot = this.topology.get();
			ReadChoice choice = choose(snapshot, read);
			HostAndPort node = choice.node();
			if (node == null) {
				return routed(choice, read, writerConnection(), null);
			}
			Connection connection = borrow(node, read);
			if (connection == null) {
				continue;
			}
			NodeStatus status = serving(connection, node, snapshot, read);
			if (status != null && hasReplayed(connection, node, status, choice, snapshot, read)) {
				return routed(choice, read, connection, status.node());
			}
		}
	}

	/**
	 * Where the read goes on this pass: the selector's choice among the nodes that have
	 * not failed the read; when that is a standby and the read must see a recent write, a
	 * standby that has it or is furthest ahead, else the primary.
	 */
	private ReadChoice choose(TopologySnapshot snapshot, Read read) throws NoStandbyAvailableException {
		// Until a node fails, the selector reuses the candidates of the snapshot.
		ReadChoice choice = read.anyFailed() ? this.selector.choose(snapshot, read::allowed)
				: this.selector.choose(snapshot);
		if (!onStandby(choice)) {
			return choice;
		}
		ReadRequirement requirement = read.lookUpRequirement();
		if (requirement == null) {
			return choice;
		}
		// Standbys that did not catch up since their last check are not tried again.
		return this.selector.chooseConsistent(snapshot, requirement.primary() ? null : requirement.lsn(),
				(candidate) -> read.allowed(candidate) && !behind(snapshot, candidate));
	}

	/**
	 * A connection from the reader pool of the node, or {@code null} when the pool cannot
	 * give one: the node is reported (it leaves the rotation at once) and left out of the
	 * read's next choices. Nothing has run on it, so any read may move on.
	 * @throws SQLException when the node already failed this read: only the primary can
	 * be chosen again, and then no other node is left to try
	 */
	private @Nullable Connection borrow(HostAndPort node, Read read) throws SQLException {
		try {
			return this.pools.reader(node).getConnection();
		}
		catch (SQLException ex) {
			this.failures.readerFailed(node, ex);
			if (!read.exclude(node)) {
				throw ex;
			}
			logger.debug("No connection from {} ({}); choosing again", node, ex.getMessage());
			return null;
		}
	}

	/**
	 * Whether the borrowed connection may serve the read: yes, unless the read must see a
	 * position that this standby is not known to have replayed; then the standby is
	 * polled on the connection until it has, at most until the read's deadline. A
	 * position the topology saw is known only to the run of the server it was seen on: a
	 * standby that restarted since (a crash, a restore) may have gone back, since crash
	 * recovery starts again from its last restartpoint. A connection that may not serve
	 * is closed; a standby whose check fails is reported and left out, one that did not
	 * catch up is left behind until its next check.
	 */
	private boolean hasReplayed(Connection connection, HostAndPort node, NodeStatus serving, ReadChoice choice,
			TopologySnapshot snapshot, Read read) throws SQLException {
		ReadRequirement requirement = read.requirement();
		if (choice.reason() != ReadChoice.Reason.CONSISTENT_STANDBY || requirement == null
				|| requirement.lsn() == null) {
			return true;
		}
		Lsn lsn = requirement.lsn();
		if (knownReplayed(serving, lsn) && sameRun(serving, node, connection)) {
			return true;
		}
		NodeStatus status = snapshot.statusOf(node);
		long deadline = read.deadline();
		boolean caughtUp;
		try {
			caughtUp = status != null && catchesUp(connection, status, lsn, deadline);
		}
		catch (SQLException ex) {
			connection.close();
			this.failures.readerFailed(node, ex);
			read.exclude(node);
			return false;
		}
		if (caughtUp) {
			return true;
		}
		if (!serving.node().equals(node)) {
			// A server behind an endpoint: the pool's next connection may reach one that
			// has the write. After a few, the endpoint is left behind like a standby.
			this.pools.retire(node, connection);
			if (read.retired(node) < RETIRES_PER_NODE) {
				return false;
			}
		}
		else {
			connection.close();
		}
		if (status == null) {
			read.requirePrimary("standby no longer in the topology");
		}
		else if (!requirement.waits()) {
			// Asked once on the standby furthest ahead: a position the primary is not
			// known to have reached is not worth another standby's round trip.
			read.requirePrimary(requirement.reason() + ", not replayed by " + node);
		}
		else {
			this.behind.put(node, status.checkedAt());
		}
		return false;
	}

	/**
	 * The status a borrowed connection is held to: its node's, unless the node is an
	 * endpoint in front of several servers; then the status of the server the connection
	 * reached, checked on the connection when it is not known or older than a check
	 * interval. Returns {@code null} when the connection may not serve the read: it was
	 * retired (its server may not serve), or closed (its check failed; the node is
	 * reported and left out).
	 */
	private @Nullable NodeStatus serving(Connection connection, HostAndPort node, TopologySnapshot snapshot, Read read)
			throws SQLException {
		NodeStatus status = snapshot.statusOf(node);
		HostAndPort server = (this.servers != null && status != null) ? this.pools.server(node, connection) : null;
		if (server == null || (!status.isEndpoint() && (status.server() == null || server.equals(status.server())))) {
			return status;
		}
		NodeStatus verdict = status.server(server);
		if (verdict == null || verdict.checkedAt().isBefore(Instant.now().minus(this.servers.maxAge()))) {
			Instant startedAt = Instant.now();
			NodeStatus checked;
			try {
				checked = JdbcNodeProbe.check(connection, node);
			}
			catch (SQLException ex) {
				connection.close();
				this.failures.readerFailed(node, ex);
				read.exclude(node);
				return null;
			}
			if (checked.server() == null) {
				// The server does not name itself (not over TCP): nothing to tell apart.
				return status;
			}
			verdict = this.servers.judge(node, checked, startedAt);
		}
		ReadRequirement requirement = read.requirement();
		boolean needsPosition = requirement != null && requirement.lsn() != null;
		if (verdict.inRotation() && (!needsPosition || verdict.rotation().positionTrusted())) {
			return verdict;
		}
		this.pools.retire(node, connection);
		logger.debug("Retired a connection of {} that reached server {} ({})", node, server, verdict.rotation());
		if (read.retired(node) >= RETIRES_PER_NODE) {
			read.exclude(node);
		}
		return null;
	}

	/**
	 * A read-only connection from the writer pool, for a read that has no node to go to:
	 * the topology knows no primary, and no standby may serve the read.
	 */
	private Connection writerConnection() throws SQLException {
		Connection connection = this.writer.connect();
		connection.setReadOnly(true);
		return connection;
	}

	private Connection routed(ReadChoice choice, Read read, Connection connection, @Nullable HostAndPort served) {
		this.observer.readRouted(choice);
		log(choice, read.requirement());
		return this.observer.connectionRouted(connection, target(choice), reason(choice, read.requirement()), served);
	}

	private static Route target(ReadChoice choice) {
		if (choice.node() == null) {
			return Route.PRIMARY;
		}
		return switch (choice.reason()) {
			case STANDBY, ZONE, OTHER_ZONE, PRIMARY_DOWN, CONSISTENT_STANDBY -> Route.REPLICA;
			case TARGET, NO_STANDBY, CONSISTENCY_PRIMARY -> Route.PRIMARY;
		};
	}

	/**
	 * Why the read went where it went: for a read that had to see a recent write, what
	 * asked for it.
	 */
	static RouteReason reason(ReadChoice choice, @Nullable ReadRequirement requirement) {
		return switch (choice.reason()) {
			case STANDBY -> RouteReason.READ_ONLY;
			case ZONE -> RouteReason.ZONE;
			case OTHER_ZONE -> RouteReason.OTHER_ZONE;
			case TARGET -> RouteReason.TARGET;
			case NO_STANDBY -> RouteReason.NO_STANDBY;
			case PRIMARY_DOWN -> RouteReason.PRIMARY_DOWN;
			case CONSISTENT_STANDBY, CONSISTENCY_PRIMARY -> (requirement != null) ? switch (requirement.source()) {
				case MARKER -> RouteReason.MARKER;
				case CAUSAL_TOKEN -> RouteReason.CAUSAL_TOKEN;
				case MARKER_STORE -> RouteReason.MARKER_STORE;
			} : RouteReason.MARKER;
		};
	}

	private boolean behind(TopologySnapshot snapshot, HostAndPort node) {
		Instant gaveUp = this.behind.get(node);
		NodeStatus status = snapshot.statusOf(node);
		return gaveUp != null && status != null && status.checkedAt().equals(gaveUp);
	}

	private static boolean onStandby(ReadChoice choice) {
		return switch (choice.reason()) {
			case STANDBY, ZONE, OTHER_ZONE, PRIMARY_DOWN -> true;
			case TARGET, NO_STANDBY, CONSISTENT_STANDBY, CONSISTENCY_PRIMARY -> false;
		};
	}

	private static boolean knownReplayed(@Nullable NodeStatus status, Lsn lsn) {
		return status != null && status.walLsn() != null && status.walLsn().compareTo(lsn) >= 0;
	}

	/**
	 * Whether the connection reached the run of the server that the status was checked
	 * on. A live connection of that run shows at least the position the check saw.
	 */
	private boolean sameRun(NodeStatus status, HostAndPort node, Connection connection) {
		Instant startedAt = status.serverStartedAt();
		return startedAt != null && startedAt.equals(this.pools.serverStartedAt(node, connection));
	}

	/**
	 * Polls the standby on the borrowed connection until it has replayed {@code lsn}, or
	 * until the deadline; asks at least once.
	 */
	private boolean catchesUp(Connection connection, NodeStatus status, Lsn lsn, long deadline) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(REPLAYED_QUERY)) {
			statement.setString(1, lsn.toString());
			long pause = FIRST_POLL_NANOS;
			while (true) {
				try (ResultSet rs = statement.executeQuery()) {
					if (rs.next() && rs.getBoolean(1)) {
						return true;
					}
				}
				if (System.nanoTime() - deadline >= 0) {
					logger.debug("Standby {} did not replay {} in time", status.node(), lsn);
					return false;
				}
				LockSupport.parkNanos(pause);
				pause = Math.min(pause * 2, MAX_POLL_NANOS);
			}
		}
	}

	private static void log(ReadChoice choice, @Nullable ReadRequirement requirement) {
		if (requirement != null && logger.isDebugEnabled()) {
			logger.debug("Read after a recent write ({}, {}) from {} ({})", requirement.reason(),
					(requirement.lsn() != null) ? "LSN " + requirement.lsn() : "primary required",
					(choice.node() != null) ? choice.node() : "writer pool", choice.reason());
		}
		else if (logger.isTraceEnabled()) {
			logger.trace("Read-only connection from {} ({})", (choice.node() != null) ? choice.node() : "writer pool",
					choice.reason());
		}
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		throw new UnsupportedOperationException("Tandem's pools use the credentials of their configuration");
	}

	/**
	 * What one read has learnt over its passes: what it must see, which nodes failed it,
	 * and until when it may wait for a standby to catch up.
	 */
	private static final class Read {

		private final @Nullable ReadConsistency consistency;

		private boolean lookedUp;

		private @Nullable ReadRequirement requirement;

		private @Nullable Set<HostAndPort> failed;

		private @Nullable Map<HostAndPort, Integer> retired;

		private long deadline;

		private boolean waiting;

		Read(@Nullable ReadConsistency consistency) {
			this.consistency = consistency;
			this.lookedUp = (consistency == null);
		}

		/**
		 * What the read must see, looked up on the first call only: called once a standby
		 * is chosen, because a read that goes to the primary anyway needs no marker, and
		 * a Redis store costs a round trip.
		 */
		@Nullable ReadRequirement lookUpRequirement() {
			if (!this.lookedUp) {
				this.requirement = this.consistency.requirement();
				this.lookedUp = true;
			}
			return this.requirement;
		}

		/**
		 * What the read must see, as far as known: {@code null} before the lookup.
		 */
		@Nullable ReadRequirement requirement() {
			return this.requirement;
		}

		/**
		 * Sends the read to the primary, for what asked it to see a recent write.
		 */
		void requirePrimary(String reason) {
			ReadRequirement.Source source = (this.requirement != null) ? this.requirement.source()
					: ReadRequirement.Source.MARKER;
			this.requirement = ReadRequirement.onPrimary(source, reason);
		}

		boolean anyFailed() {
			return this.failed != null;
		}

		boolean allowed(HostAndPort node) {
			return this.failed == null || !this.failed.contains(node);
		}

		/**
		 * Leaves a node out of the read's next choices.
		 * @return whether it was not left out already
		 */
		/**
		 * Counts a connection of a node retired by this read.
		 * @return how many it retired of that node so far
		 */
		int retired(HostAndPort node) {
			if (this.retired == null) {
				this.retired = new java.util.HashMap<>();
			}
			return this.retired.merge(node, 1, Integer::sum);
		}

		boolean exclude(HostAndPort node) {
			if (this.failed == null) {
				this.failed = new HashSet<>();
			}
			return this.failed.add(node);
		}

		/**
		 * The end of the wait for a standby to replay the required position, set by the
		 * first wait: one wait for the whole read, however many standbys it tries; now,
		 * when the requirement may not be waited on.
		 */
		long deadline() {
			if (!this.waiting) {
				boolean waits = this.requirement == null || this.requirement.waits();
				this.deadline = System.nanoTime() + (waits ? this.consistency.maxWait().toNanos() : 0);
				this.waiting = true;
			}
			return this.deadline;
		}

	}

}
