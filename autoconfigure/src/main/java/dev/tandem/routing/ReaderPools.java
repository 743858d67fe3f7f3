package dev.tandem.routing;

import javax.sql.DataSource;

import dev.tandem.url.HostAndPort;

/**
 * Where reader connections come from: the read-only pool of each node, in production
 * {@code TandemPools::reader}. Routing asks for no more than this, so that its decisions
 * can be tested over pools that are not HikariCP.
 */
@FunctionalInterface
public interface ReaderPools {

	/**
	 * The read-only pool of a node.
	 * @param node the node
	 * @return its pool
	 */
	DataSource reader(HostAndPort node);

}
