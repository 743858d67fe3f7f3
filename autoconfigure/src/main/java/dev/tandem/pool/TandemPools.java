package dev.tandem.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Predicate;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.SQLExceptionOverride;
import dev.tandem.url.ClusterSpec;
import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;
import org.postgresql.core.BaseConnection;
import org.postgresql.util.HostSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer pool and the reader pools. The writer is one pool over a pgjdbc multi-host
 * URL with {@code targetServerType=primary}, so the driver finds the primary after a
 * failover. Each host gets a reader pool of its own, created on first use so that a host
 * that is down does not stop startup, whose sessions are read-only from their start
 * ({@code default_transaction_read_only=on}): a write misrouted to a reader fails with
 * SQLState 25006 instead of running.
 * <p>
 * Defaults, each of which the URL's parameters or {@code tandem.*.hikari.*} override:
 * <ul>
 * <li>pgjdbc {@code connectTimeout} 2 s (pgjdbc: 10 s) and {@code loginTimeout} 3 s
 * (pgjdbc: none): a host that drops packets costs seconds, not minutes;</li>
 * <li>pgjdbc {@code tcpKeepAlive=true}: the kernel notices a peer that vanished without a
 * word;</li>
 * <li>HikariCP {@code connectionTimeout} 3 s on the writer and 2 s on readers (HikariCP:
 * 30 s): the longest a caller waits for a connection while a node dies, so a request
 * fails within seconds of a failover instead of hanging (a read that fails that way is
 * retried on another standby);</li>
 * <li>HikariCP {@code validationTimeout} 1 s (HikariCP: 5 s) and {@code keepaliveTime} 30
 * s (HikariCP: 2 min): dead idle connections are found quickly;</li>
 * <li>HikariCP {@code minimumIdle} 2 (HikariCP: the maximum pool size): one pool per host
 * must not hold a full pool of idle connections on every host.</li>
 * </ul>
 */
public final class TandemPools implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(TandemPools.class);

	/** Name of the writer pool. */
	public static final String WRITER_POOL_NAME = "tandem-writer";

	/** Default HikariCP {@code connectionTimeout} of the writer pool. */
	public static final Duration WRITER_CONNECTION_TIMEOUT = Duration.ofSeconds(3);

	/** Default HikariCP {@code connectionTimeout} of the reader pools. */
	public static final Duration READER_CONNECTION_TIMEOUT = Duration.ofSeconds(2);

	/** Default pgjdbc {@code connectTimeout}, in seconds. */
	public static final int CONNECT_TIMEOUT_SECONDS = 2;

	/** Default pgjdbc {@code loginTimeout}, in seconds. */
	public static final int LOGIN_TIMEOUT_SECONDS = 3;

	private static final Duration VALIDATION_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration KEEPALIVE_TIME = Duration.ofSeconds(30);

	private static final String READ_ONLY_OPTION = "-c default_transaction_read_only=on";

	private final ClusterSpec readerSpec;

	private final PoolFailureListener failures;

	private final PrimaryGate gate = new PrimaryGate();

	private final Consumer<HikariConfig> readerCustomizer;

	private final HikariDataSource writer;

	private final Map<HostAndPort, HikariDataSource> readers = new ConcurrentHashMap<>();

	private final LiveConnections writerConnections = new LiveConnections();

	private final Map<HostAndPort, LiveConnections> readerConnections = new ConcurrentHashMap<>();

	/** Runs aborts, which close sockets and must not hold up the caller. */
	private final ExecutorService aborts = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "tandem-abort");
		thread.setDaemon(true);
		return thread;
	});

	private volatile boolean closed;

	/**
	 * Creates the writer pool; reader pools are created on first use.
	 * @param writerSpec where writes go; all its hosts form the writer's multi-host URL
	 * @param readerSpec connection settings of the reader pools
	 * @param writerCustomizer applies user settings to the writer's configuration
	 * @param readerCustomizer applies user settings to every reader's configuration
	 * @param failures hears connection failures the pools see
	 */
	public TandemPools(ClusterSpec writerSpec, ClusterSpec readerSpec, Consumer<HikariConfig> writerCustomizer,
			Consumer<HikariConfig> readerCustomizer, PoolFailureListener failures) {
		this.readerSpec = readerSpec;
		this.readerCustomizer = readerCustomizer;
		this.failures = failures;
		HikariConfig config = baseConfig(writerSpec, WRITER_POOL_NAME, writerSpec.hosts());
		config.addDataSourceProperty("targetServerType", "primary");
		config.setConnectionTimeout(WRITER_CONNECTION_TIMEOUT.toMillis());
		config.setExceptionOverride(new WriterFailures());
		writerCustomizer.accept(config);
		// Connections come through the gate, so that no attempt fails (and backs off)
		// while the topology knows there is no primary or is about to learn it.
		config.setDataSource(new DriverConnectionSource(config.getJdbcUrl(), driverProperties(config),
				this.writerConnections, this.gate, failures, Duration.ofMillis(config.getConnectionTimeout())));
		config.setJdbcUrl(null);
		this.writer = new HikariDataSource(config);
	}

	/**
	 * The driver properties of a configuration, credentials included: the URL's, or those
	 * that {@code tandem.*.hikari.username} and {@code .password} set. The credentials
	 * then leave the configuration, which HikariCP logs, and HikariCP would otherwise
	 * pass the password only along with a user name. Secret properties leave it too:
	 * HikariCP logs its data source properties at DEBUG and masks only the key
	 * {@code password}, and it does not read them when it is given a data source.
	 */
	private static Properties driverProperties(HikariConfig config) {
		Properties properties = new Properties();
		properties.putAll(config.getDataSourceProperties());
		if (config.getUsername() != null) {
			properties.setProperty("user", config.getUsername());
		}
		if (config.getPassword() != null) {
			properties.setProperty("password", config.getPassword());
		}
		config.setUsername(null);
		config.setPassword(null);
		config.getDataSourceProperties().keySet().removeIf((key) -> ClusterSpec.isSecretParameter(String.valueOf(key)));
		return properties;
	}

	private static HikariConfig baseConfig(ClusterSpec spec, String poolName, List<HostAndPort> hosts) {
		HikariConfig config = new HikariConfig();
		config.setPoolName(poolName);
		config.setJdbcUrl(spec.jdbcUrl(hosts));
		Properties properties = spec.connectionProperties();
		properties.putIfAbsent("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
		properties.putIfAbsent("loginTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS));
		properties.putIfAbsent("tcpKeepAlive", "true");
		config.setDataSourceProperties(properties);
		config.setValidationTimeout(VALIDATION_TIMEOUT.toMillis());
		config.setKeepaliveTime(KEEPALIVE_TIME.toMillis());
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
		// A plain read first: computeIfAbsent takes the bin's lock on every call.
		HikariDataSource pool = this.readers.get(node);
		return (pool != null) ? pool : this.readers.computeIfAbsent(node, this::createReader);
	}

	private HikariDataSource createReader(HostAndPort node) {
		HikariConfig config = baseConfig(this.readerSpec, readerPoolName(node), List.of(node));
		String options = config.getDataSourceProperties().getProperty("options");
		config.addDataSourceProperty("options",
				(options != null) ? options + " " + READ_ONLY_OPTION : READ_ONLY_OPTION);
		config.setReadOnly(true);
		config.setConnectionTimeout(READER_CONNECTION_TIMEOUT.toMillis());
		config.setExceptionOverride(new ReaderFailures(node));
		this.readerCustomizer.accept(config);
		LiveConnections live = this.readerConnections.computeIfAbsent(node, (key) -> new LiveConnections());
		config.setDataSource(new DriverConnectionSource(config.getJdbcUrl(), driverProperties(config), live,
				(server) -> this.failures.readerReached(node, server)));
		config.setJdbcUrl(null);
		return new HikariDataSource(config);
	}

	/**
	 * The reader pools created so far, by host; a host gets its pool on first use.
	 * @return an unmodifiable live view
	 */
	public Map<HostAndPort, HikariDataSource> readerPools() {
		return Collections.unmodifiableMap(this.readers);
	}

	/**
	 * Tells whether a primary is up; while it is not, the writer pool makes no connection
	 * attempts.
	 * @return the gate
	 */
	public PrimaryGate primaryGate() {
		return this.gate;
	}

	/**
	 * Retires every writer connection: idle ones now, borrowed ones when they are
	 * returned. Used when the primary changed, so that no connection stays on a node that
	 * is no longer the primary.
	 */
	public void evictWriterConnections() {
		HikariPoolMXBean bean = this.writer.getHikariPoolMXBean();
		if (bean != null) {
			bean.softEvictConnections();
		}
	}

	/**
	 * Aborts every connection on a node that stopped answering, in use or idle: those of
	 * its reader pool, and the writer's that reached it. A call running on one fails at
	 * once with a connection error instead of waiting for the node; HikariCP evicts the
	 * connection.
	 * @param node the node
	 * @param reason why, for the log
	 * @return how many connections were aborted
	 */
	public int abortConnections(HostAndPort node, String reason) {
		if (this.closed) {
			return 0;
		}
		LiveConnections readers = this.readerConnections.get(node);
		int aborted = (readers != null) ? readers.abort((connection) -> true, this.aborts) : 0;
		aborted += this.writerConnections.abort(reached(node), this.aborts);
		if (aborted > 0) {
			logger.info("Aborted {} connection(s) on {} so that calls running there fail at once: {}", aborted, node,
					reason);
		}
		return aborted;
	}

	/**
	 * The host and port a connection reached, as the URL names them: for the writer pool,
	 * the host of its multi-host URL that the driver found the primary on. A memory read.
	 * @param connection a connection of one of the pools
	 * @return the host and port, or {@code null} when not known (not a pgjdbc connection)
	 */
	public static @Nullable HostAndPort hostOf(Connection connection) {
		try {
			HostSpec reached = connection.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec();
			return new HostAndPort(reached.getHost(), reached.getPort());
		}
		catch (SQLException | RuntimeException ex) {
			return null;
		}
	}

	private static Predicate<Connection> reached(HostAndPort node) {
		return (connection) -> {
			try {
				HostSpec reached = connection.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec();
				return reached.getPort() == node.port() && reached.getHost().equalsIgnoreCase(node.host());
			}
			catch (SQLException | RuntimeException ex) {
				return false;
			}
		};
	}

	/**
	 * The server a connection of a node's reader pool reached, as the server names
	 * itself: the node's own for a host, one of several for a load-balanced endpoint.
	 * Asked once when the connection was made; a memory read.
	 * @param node the node of the reader pool
	 * @param connection a connection borrowed from that pool
	 * @return the server, or {@code null} when not known
	 */
	public @Nullable HostAndPort server(HostAndPort node, Connection connection) {
		return reached(node, connection).server();
	}

	/**
	 * When the server a connection of a node's reader pool reached was started
	 * ({@code pg_postmaster_start_time()}): the connection belongs to that run of the
	 * server. Asked once when the connection was made; a memory read.
	 * @param node the node of the reader pool
	 * @param connection a connection borrowed from that pool
	 * @return when the server was started, or {@code null} when not known
	 */
	public @Nullable Instant serverStartedAt(HostAndPort node, Connection connection) {
		return reached(node, connection).startedAt();
	}

	private LiveConnections.Reached reached(HostAndPort node, Connection connection) {
		LiveConnections live = this.readerConnections.get(node);
		if (live == null) {
			return LiveConnections.Reached.UNKNOWN;
		}
		try {
			return live.reached(connection.unwrap(BaseConnection.class));
		}
		catch (SQLException ex) {
			return LiveConnections.Reached.UNKNOWN;
		}
	}

	/**
	 * Retires a borrowed reader connection: closed now, not returned to the pool, which
	 * makes a new one when it needs one. Through a load-balanced endpoint the new one may
	 * reach another server.
	 * @param node the node of the reader pool
	 * @param connection the connection borrowed from that pool
	 */
	public void retire(HostAndPort node, Connection connection) {
		HikariDataSource pool = this.readers.get(node);
		if (pool != null) {
			pool.evictConnection(connection);
		}
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
		this.gate.release();
		List<HikariDataSource> all = new ArrayList<>(this.readers.values());
		all.add(this.writer);
		all.forEach(HikariDataSource::close);
		this.readers.clear();
		this.aborts.shutdown();
	}

	private final class WriterFailures implements SQLExceptionOverride {

		@java.lang.Override
		public Override adjudicate(SQLException failure) {
			if (SqlStates.READ_ONLY_TRANSACTION.equals(failure.getSQLState())) {
				TandemPools.this.failures.writerReadOnly(failure);
				return Override.MUST_EVICT;
			}
			if (SqlStates.isConnectionFailure(failure)) {
				TandemPools.this.failures.writerFailed(failure);
			}
			return Override.CONTINUE_EVICT;
		}

	}

	private final class ReaderFailures implements SQLExceptionOverride {

		private final HostAndPort node;

		ReaderFailures(HostAndPort node) {
			this.node = node;
		}

		@java.lang.Override
		public Override adjudicate(SQLException failure) {
			if (SqlStates.isNodeLost(failure)) {
				TandemPools.this.failures.readerFailed(this.node, failure);
			}
			return Override.CONTINUE_EVICT;
		}

	}

}
