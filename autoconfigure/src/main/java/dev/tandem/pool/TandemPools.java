package dev.tandem.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.tandem.url.ClusterSpec;
import dev.tandem.url.HostAndPort;

/**
 * The writer pool and the reader pools. The writer is one pool over a pgjdbc multi-host
 * URL with {@code targetServerType=primary}, so the driver finds the primary after a
 * failover. Each host gets a reader pool of its own, created on first use so that a host
 * that is down does not stop startup, whose sessions are read-only from their start
 * ({@code default_transaction_read_only=on}): a write misrouted to a reader fails with
 * SQLState 25006 instead of running.
 */
public final class TandemPools implements AutoCloseable {

	/** Name of the writer pool. */
	public static final String WRITER_POOL_NAME = "tandem-writer";

	private static final String READ_ONLY_OPTION = "-c default_transaction_read_only=on";

	private final ClusterSpec readerSpec;

	private final Consumer<HikariConfig> readerCustomizer;

	private final HikariDataSource writer;

	private final Map<HostAndPort, HikariDataSource> readers = new ConcurrentHashMap<>();

	private volatile boolean closed;

	/**
	 * Creates the writer pool; reader pools are created on first use.
	 * @param writerSpec where writes go; all its hosts form the writer's multi-host URL
	 * @param readerSpec connection settings of the reader pools
	 * @param writerCustomizer applies user settings to the writer's configuration
	 * @param readerCustomizer applies user settings to every reader's configuration
	 */
	public TandemPools(ClusterSpec writerSpec, ClusterSpec readerSpec, Consumer<HikariConfig> writerCustomizer,
			Consumer<HikariConfig> readerCustomizer) {
		this.readerSpec = readerSpec;
		this.readerCustomizer = readerCustomizer;
		HikariConfig config = baseConfig(writerSpec, WRITER_POOL_NAME, writerSpec.hosts());
		config.addDataSourceProperty("targetServerType", "primary");
		writerCustomizer.accept(config);
		this.writer = new HikariDataSource(config);
	}

	private static HikariConfig baseConfig(ClusterSpec spec, String poolName, List<HostAndPort> hosts) {
		HikariConfig config = new HikariConfig();
		config.setPoolName(poolName);
		config.setJdbcUrl(spec.jdbcUrl(hosts));
		config.setDriverClassName("org.postgresql.Driver");
		if (spec.username() != null) {
			config.setUsername(spec.username());
		}
		if (spec.password() != null) {
			config.setPassword(spec.password());
		}
		Properties properties = new Properties();
		properties.putAll(spec.driverProperties());
		config.setDataSourceProperties(properties);
		// A node that is down at startup must not stop the application: connections are
		// made in the background and on demand.
		config.setInitializationFailTimeout(-1);
		config.setMinimumIdle(2);
		return config;
	}

	/**
	 * The writer pool.
	 * @return the writer pool
	 */
	public HikariDataSource writer() {
		return this.writer;
	}

	/**
	 * The read-only pool of one host, created on first use.
	 * @param node the host
	 * @return its pool
	 */
	public HikariDataSource reader(HostAndPort node) {
		if (this.closed) {
			throw new IllegalStateException("Tandem's pools are closed");
		}
		return this.readers.computeIfAbsent(node, this::createReader);
	}

	private HikariDataSource createReader(HostAndPort node) {
		HikariConfig config = baseConfig(this.readerSpec, readerPoolName(node), List.of(node));
		String options = config.getDataSourceProperties().getProperty("options");
		config.addDataSourceProperty("options",
				(options != null) ? options + " " + READ_ONLY_OPTION : READ_ONLY_OPTION);
		config.setReadOnly(true);
		this.readerCustomizer.accept(config);
		return new HikariDataSource(config);
	}

	/**
	 * Name of the reader pool of a host: {@code tandem-reader-<host>-<port>}, with the
	 * colons of an IPv6 address written as underscores.
	 * @param node the host
	 * @return the pool name
	 */
	static String readerPoolName(HostAndPort node) {
		return "tandem-reader-" + node.host().replace(':', '_') + "-" + node.port();
	}

	/**
	 * Connections in use in the reader pool of a host, 0 when it has no pool yet.
	 * @param node the host
	 * @return active connections
	 */
	public int activeReaderConnections(HostAndPort node) {
		HikariDataSource pool = this.readers.get(node);
		if (pool == null) {
			return 0;
		}
		HikariPoolMXBean bean = pool.getHikariPoolMXBean();
		return (bean != null) ? bean.getActiveConnections() : 0;
	}

	@Override
	public void close() {
		this.closed = true;
		List<HikariDataSource> all = new ArrayList<>(this.readers.values());
		all.add(this.writer);
		all.forEach(HikariDataSource::close);
		this.readers.clear();
	}

}
