package dev.tandem.routing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;

import dev.tandem.pool.TandemPools;
import dev.tandem.topology.TopologySnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.datasource.AbstractDataSource;

/**
 * The reader side of the routing {@code DataSource}: each connection comes from the
 * read-only pool of the node that {@link ReaderSelector} chooses from the latest
 * snapshot. When the topology knows no primary and the read must go there, the writer
 * pool serves it with a read-only connection.
 */
public class ReaderDataSource extends AbstractDataSource {

	private static final Logger logger = LoggerFactory.getLogger(ReaderDataSource.class);

	private final TandemPools pools;

	private final ReaderSelector selector;

	private final Supplier<TopologySnapshot> topology;

	/**
	 * Creates the reader side.
	 * @param pools the pools
	 * @param selector chooses the node
	 * @param topology the latest snapshot (a memory read)
	 */
	public ReaderDataSource(TandemPools pools, ReaderSelector selector, Supplier<TopologySnapshot> topology) {
		this.pools = pools;
		this.selector = selector;
		this.topology = topology;
	}

	@Override
	public Connection getConnection() throws SQLException {
		ReadChoice choice = this.selector.choose(this.topology.get());
		if (logger.isTraceEnabled()) {
			logger.trace("Read-only connection from {} ({})", (choice.node() != null) ? choice.node() : "writer pool",
					choice.reason());
		}
		if (choice.node() == null) {
			Connection connection = this.pools.writer().getConnection();
			connection.setReadOnly(true);
			return connection;
		}
		return this.pools.reader(choice.node()).getConnection();
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		throw new UnsupportedOperationException("Tandem's pools use the credentials of their configuration");
	}

}
