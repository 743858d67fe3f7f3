package dev.tandem.routing;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

import javax.sql.DataSource;

import dev.tandem.pool.TandemPools;
import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;

/**
 * Where reader connections come from: the read-only pool of each node, and what is known
 * of each connection. Routing asks for no more than this, so that its decisions can be
 * tested over pools that are not HikariCP.
 */
@FunctionalInterface
public interface ReaderPools {

	/**
	 * The read-only pool of a node.
	 * @param node the node
	 * @return its pool
	 */
	DataSource reader(HostAndPort node);

	/**
	 * The server a borrowed connection reached, as the server names itself: behind a
	 * load-balanced endpoint, one of several. A memory read.
	 * @param node the node of the pool the connection came from
	 * @param connection the connection
	 * @return the server, or {@code null} when not known
	 */
	default @Nullable HostAndPort server(HostAndPort node, Connection connection) {
		return null;
	}

	/**
	 * When the server a borrowed connection reached was started: the connection belongs
	 * to that run of the server. A memory read.
	 * @param node the node of the pool the connection came from
	 * @param connection the connection
	 * @return when the server was started, or {@code null} when not known
	 */
	default @Nullable Instant serverStartedAt(HostAndPort node, Connection connection) {
		return null;
	}

	/**
	 * Gives up a borrowed connection for good, so that the pool makes a new one, which
	 * may reach another server behind an endpoint.
	 * @param node the node of the pool the connection came from
	 * @param connection the connection
	 * @throws SQLException when closing it fails
	 */
	default void retire(HostAndPort node, Connection connection) throws SQLException {
		connection.close();
	}

	/**
	 * The reader pools of Tandem's pools.
	 * @param pools the pools
	 * @return their reader side
	 */
	static ReaderPools of(TandemPools pools) {
		return new ReaderPools() {

			@Override
			public DataSource reader(HostAndPort node) {
				return pools.reader(node);
			}

			@Override
			public @Nullable HostAndPort server(HostAndPort node, Connection connection) {
				return pools.server(node, connection);
			}

			@Override
			public @Nullable Instant serverStartedAt(HostAndPort node, Connection connection) {
				return pools.serverStartedAt(node, connection);
			}

			@Override
			public void retire(HostAndPort node, Connection connection) {
				pools.retire(node, connection);
			}

		};
	}

}
