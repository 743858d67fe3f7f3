package dev.tandem.routing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

import dev.tandem.pool.PoolFailureListener;
import dev.tandem.pool.TandemPools;
import dev.tandem.topology.TopologySnapshot;
import dev.tandem.url.HostAndPort;
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
 */
public class ReaderDataSource extends AbstractDataSource {

	private static final Logger logger = LoggerFactory.getLogger(ReaderDataSource.class);

	private final TandemPools pools;

	private final WriterDataSource writer;

	private final ReaderSelector selector;

	private final Supplier<TopologySnapshot> topology;

	private final PoolFailureListener failures;

	private final RoutingObserver observer;

	/**
	 * Creates the reader side.
	 * @param pools the pools
	 * @param writer the writer side, for reads that must go to the primary while the
	 * topology knows none
	 * @param selector chooses the node
	 * @param topology the latest snapshot (a memory read)
	 * @param failures hears a reader pool that cannot give a connection
	 * @param observer hears each decision
	 */
	public ReaderDataSource(TandemPools pools, WriterDataSource writer, ReaderSelector selector,
			Supplier<TopologySnapshot> topology, PoolFailureListener failures, RoutingObserver observer) {
		this.pools = pools;
		this.writer = writer;
		this.selector = selector;
		this.topology = topology;
		this.failures = failures;
		this.observer = observer;
	}

	@Override
	public Connection getConnection() throws SQLException {
		Set<HostAndPort> failed = null;
		while (true) {
			Set<HostAndPort> excluded = failed;
			ReadChoice choice = (excluded != null)
					? this.selector.choose(this.topology.get(), (node) -> !excluded.contains(node))
					: this.selector.choose(this.topology.get());
			this.observer.readRouted(choice);
			HostAndPort node = choice.node();
			if (logger.isTraceEnabled()) {
				logger.trace("Read-only connection from {} ({})", (node != null) ? node : "writer pool",
						choice.reason());
			}
			if (node == null) {
				Connection connection = this.writer.connect();
				connection.setReadOnly(true);
				return connection;
			}
			try {
				return this.pools.reader(node).getConnection();
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
			}
		}
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		throw new UnsupportedOperationException("Tandem's pools use the credentials of their configuration");
	}

}
