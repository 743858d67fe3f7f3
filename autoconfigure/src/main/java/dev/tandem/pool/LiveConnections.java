package dev.tandem.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The physical connections one pool has made and not yet closed, so that they can be
 * aborted when their node stops answering. HikariCP does not hand out the connections it
 * has lent; a call running on a node that froze (a stuck disk, a partition that drops
 * packets) would otherwise wait for as long as the node is frozen, or for the kernel's
 * TCP retransmission timeout. {@link Connection#abort} closes the socket, so such a call
 * fails at once with a connection error and HikariCP evicts the connection.
 */
final class LiveConnections {

	private static final Logger logger = LoggerFactory.getLogger(LiveConnections.class);

	/** The connections, with the server each reached. */
	private final Map<Connection, Reached> connections = new ConcurrentHashMap<>();

	/**
	 * Adds a connection the pool has just made, forgetting those closed since.
	 * @param connection the physical connection
	 * @param reached the server it reached, as far as known
	 */
	void add(Connection connection, Reached reached) {
		this.connections.keySet().removeIf(LiveConnections::closed);
		this.connections.put(connection, reached);
	}

	/**
	 * The server a connection reached.
	 * @param connection the physical connection
	 * @return the server, as far as known; {@link Reached#UNKNOWN} for a connection not
	 * made by this pool
	 */
	Reached reached(Connection connection) {
		return this.connections.getOrDefault(connection, Reached.UNKNOWN);
	}

	/**
	 * Aborts the connections that match, in use or idle.
	 * @param which the connections to abort
	 * @param executor runs the aborts
	 * @return how many were aborted
	 */
	int abort(Predicate<Connection> which, Executor executor) {
		int aborted = 0;
		for (Connection connection : this.connections.keySet()) {
			if (closed(connection) || !which.test(connection)) {
				continue;
			}
			this.connections.remove(connection);
			try {
				connection.abort(executor);
				aborted++;
			}
			catch (SQLException | RuntimeException ex) {
				logger.debug("Aborting a connection failed", ex);
			}
		}
		return aborted;
	}

	/**
	 * The server a connection reached, as it names itself, and when that server was
	 * started: a live connection belongs to that one run of it.
	 *
	 * @param server the server's address and port ({@code inet_server_addr()},
	 * {@code inet_server_port()}), when known
	 * @param startedAt when it was started ({@code pg_postmaster_start_time()}), when
	 * known
	 */
	record Reached(@Nullable HostAndPort server, @Nullable Instant startedAt) {

		/** Nothing known. */
		static final Reached UNKNOWN = new Reached(null, null);

	}

	private static boolean closed(Connection connection) {
		try {
			return connection.isClosed();
		}
		catch (SQLException ex) {
			return true;
		}
	}

}
