package dev.tandem.pool;

import java.sql.SQLException;

import dev.tandem.url.HostAndPort;

/**
 * Hears failures that the pools see before any topology check could: a reader connection
 * that broke, a write refused because the writer's connection sits on a node that is no
 * longer the primary. Called on the application's thread: implementations must return
 * quickly.
 */
public interface PoolFailureListener {

	/** Ignores every failure. */
	PoolFailureListener NONE = new PoolFailureListener() {
	};

	/**
	 * A connection of a reader pool failed in a way that points at the node: SQLState
	 * class 08, or the server shutting down ({@code 57P01} to {@code 57P03}).
	 * @param node the node of the reader pool
	 * @param failure what failed
	 */
	default void readerFailed(HostAndPort node, SQLException failure) {
	}

	/**
	 * A new connection of a node's reader pool reached a server, as the server names
	 * itself: behind a load-balanced endpoint, not always the same one. Called on the
	 * pool's thread that made the connection.
	 * @param node the node of the reader pool
	 * @param server the server the connection reached
	 */
	default void readerReached(HostAndPort node, HostAndPort server) {
	}

	/**
	 * A writer connection, or an attempt to make one, failed with a connection error
	 * (SQLState class {@code 08}): the primary may be gone.
	 * @param failure what failed
	 */
	default void writerFailed(SQLException failure) {
	}

	/**
	 * A statement on a writer connection failed with SQLState {@code 25006}: the node
	 * under it is read-only, no longer the primary. The connection is evicted.
	 * @param failure what failed
	 */
	default void writerReadOnly(SQLException failure) {
	}

}
