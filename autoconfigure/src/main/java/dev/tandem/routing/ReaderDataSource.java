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
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.tandem.consistency.ReadConsistency;
import dev.tandem.consistency.ReadRequirement;
import dev.tandem.pool.PoolFailureListener;
import dev.tandem.topology.Lsn;
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
 * A standby that did not catch up in time is not waited on again until its next check.
 */
public class ReaderDataSource extends AbstractDataSource {

	private static final Logger logger = LoggerFactory.getLogger(ReaderDataSource.class);

	private static final String REPLAYED_QUERY = "SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn";

	private static final long POLL_NANOS = 1_000_000;

	private final ReaderPools pools;

	private final WriterDataSource writer;

	private final ReaderSelector selector;

	private final Supplier<TopologySnapshot> topology;

	private final PoolFailureListener failures;

	private final RoutingObserver observer;

	private final @Nullable ReadConsistency consistency;

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
		// Looked up only once a standby is chosen: a read that goes to the primary anyway
		// needs no marker, and a Redis store costs a round trip.
		ReadRequirement requirement = null;
		boolean requirementKnown = (this.consistency == null);
		Set<HostAndPort> failed = null;
		long deadline = 0;
		while (true) {
			Set<HostAndPort> excluded = failed;
			Predicate<HostAndPort> allowed = (excluded != null) ? (node) -> !excluded.contains(node) : (node) -> true;
			TopologySnapshot snapshot = this.topology.get();
			ReadChoice choice = (excluded != null) ? this.selector.choose(snapshot, allowed)
					: this.selector.choose(snapshot);
			if (!requirementKnown && onStandby(choice)) {
				requirement = this.consistency.requirement();
				requirementKnown = true;
			}
			if (requirement != null && onStandby(choice)) {
				// Standbys that did not catch up since their last check are not tried
				// again.
				choice = this.selector.chooseConsistent(snapshot, requirement.primary() ? null : requirement.lsn(),
						(node) -> allowed.test(node) && !behind(snapshot, node));
			}
			HostAndPort node = choice.node();
			if (node == null) {
				this.observer.readRouted(choice);
				log(choice, requirement);
				Connection connection = this.writer.connect();
				connection.setReadOnly(true);
				return connection;
			}
			Connection connection;
			try {
				connection = this.pools.reader(node).getConnection();
			}
			catch (SQLException ex) {
				this.failures.readerFailed(node, ex);
				if (failed == null) {
					failed = new HashSet<>();
				}
				if (!failed.add(node)) {
					throw ex;
				}
				logger.debug("No connection from {} ({}); choosing again", node, ex.getMessage());
				continue;
			}
			if (choice.reason() == ReadChoice.Reason.CONSISTENT_STANDBY && requirement != null
					&& requirement.lsn() != null) {
				NodeStatus status = snapshot.node(node).orElse(null);
				if (!replayed(status, requirement.lsn())) {
					// One wait for the whole read, however many standbys it tries.
					deadline = (deadline != 0) ? deadline : System.nanoTime() + this.consistency.maxWait().toNanos();
					boolean caughtUp;
					try {
						caughtUp = status != null && catchesUp(connection, status, requirement.lsn(), deadline);
					}
					catch (SQLException ex) {
						connection.close();
						this.failures.readerFailed(node, ex);
						failed = (failed != null) ? failed : new HashSet<>();
						failed.add(node);
						continue;
					}
					if (!caughtUp) {
						connection.close();
						if (status == null) {
							requirement = ReadRequirement.onPrimary("standby no longer in the topology");
						}
						continue;
					}
				}
			}
			this.observer.readRouted(choice);
			log(choice, requirement);
			return connection;
		}
	}

	private boolean behind(TopologySnapshot snapshot, HostAndPort node) {
		Instant gaveUp = this.behind.get(node);
		return gaveUp != null && snapshot.node(node).map((status) -> status.checkedAt().equals(gaveUp)).orElse(false);
	}

	private static boolean onStandby(ReadChoice choice) {
		return choice.reason() == ReadChoice.Reason.STANDBY || choice.reason() == ReadChoice.Reason.PRIMARY_DOWN;
	}

	private static boolean replayed(@Nullable NodeStatus status, Lsn lsn) {
		return status != null && status.walLsn() != null && status.walLsn().compareTo(lsn) >= 0;
	}

	/**
	 * Polls the standby on the borrowed connection until it has replayed {@code lsn}, for
	 * at most the maximum wait, unless it already failed to catch up since its last
	 * check.
	 */
	private boolean catchesUp(Connection connection, NodeStatus status, Lsn lsn, long deadline) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(REPLAYED_QUERY)) {
			statement.setString(1, lsn.toString());
			while (true) {
				try (ResultSet rs = statement.executeQuery()) {
					if (rs.next() && rs.getBoolean(1)) {
						return true;
					}
				}
				if (System.nanoTime() - deadline >= 0) {
					this.behind.put(status.node(), status.checkedAt());
					logger.debug("Standby {} did not replay {} within {}", status.node(), lsn,
							this.consistency.maxWait());
					return false;
				}
				LockSupport.parkNanos(POLL_NANOS);
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

}
