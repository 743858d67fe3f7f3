package dev.tandem.topology;

import dev.tandem.url.HostAndPort;

/**
 * Checks one node. Implementations never throw: a failed check is an unreachable
 * {@link NodeStatus}.
 */
@FunctionalInterface
public interface NodeProbe {

	/**
	 * Checks a node.
	 * @param node the node
	 * @return what the check found
	 */
	NodeStatus check(HostAndPort node);

	/**
	 * Checks the node on a new connection next time, when the probe keeps one: behind a
	 * load-balanced endpoint it may reach another server.
	 * @param node the node
	 */
	default void reconnect(HostAndPort node) {
	}

	/**
	 * How long the last check of a node took on a connection already open: the round trip
	 * of one query, without connecting.
	 * @param node the node
	 * @return nanoseconds, or a negative value when not known
	 */
	default long lastRoundTripNanos(HostAndPort node) {
		return -1;
	}

}
