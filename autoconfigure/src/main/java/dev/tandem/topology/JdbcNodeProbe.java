package dev.tandem.topology;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.tandem.url.ClusterSpec;
import dev.tandem.url.HostAndPort;
import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;

/**
 * Checks nodes over a connection of its own per node, kept open between checks and opened
 * again after a failure. Asks only what an ordinary application role may ask:
 * {@code pg_is_in_recovery()}, the current or replayed WAL position and the replay
 * timestamp; no superuser, no {@code pg_monitor}.
 */
public final class JdbcNodeProbe implements NodeProbe, AutoCloseable {

	/**
	 * Role, WAL position, receive position, replay timestamp, replay lag in milliseconds,
	 * the server's own address and port, and when it was started. The lag is zero when
	 * everything received has been replayed, so that a standby of an idle primary, whose
	 * last replayed commit may be hours old, does not look behind.
	 */
	static final String QUERY = "SELECT pg_is_in_recovery(), "
			+ "(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text, "
			+ "pg_last_wal_receive_lsn()::text, pg_last_xact_replay_timestamp(), "
			+ "CASE WHEN NOT pg_is_in_recovery() THEN NULL "
			+ "WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0 "
			+ "ELSE greatest(0, (extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000))::bigint END, "
			+ "host(inet_server_addr()), inet_server_port(), pg_postmaster_start_time()";

	private final Function<HostAndPort, ClusterSpec> specs;

	private final Duration timeout;

	private final Duration answerTimeout;

	private final Driver driver = new org.postgresql.Driver();

	private final Map<HostAndPort, Connection> connections = new ConcurrentHashMap<>();

	/** The last check's round trip per node, -1 when it had to connect. */
	private final Map<HostAndPort, Long> roundTrips = new ConcurrentHashMap<>();

	/**
	 * Creates a probe.
	 * @param specs the connection settings (credentials, driver properties) of each node;
	 * separate writer and reader endpoints may differ
	 * @param timeout bound on connecting, logging in and answering, rounded up to whole
	 * seconds as pgjdbc takes them
	 */
	public JdbcNodeProbe(Function<HostAndPort, ClusterSpec> specs, Duration timeout) {
		this(specs, timeout, timeout);
	}

	/**
	 * Creates a probe.
	 * @param specs the connection settings (credentials, driver properties) of each node;
	 * separate writer and reader endpoints may differ
	 * @param timeout bound on connecting and logging in, rounded up to whole seconds as
	 * pgjdbc takes them
	 * @param answerTimeout bound on the answer to a check on an open connection: a node
	 * that takes longer counts as unreachable, and the calls running on it are aborted
	 */
	public JdbcNodeProbe(Function<HostAndPort, ClusterSpec> specs, Duration timeout, Duration answerTimeout) {
		this.specs = specs;
		this.timeout = timeout;
		this.answerTimeout = answerTimeout;
	}

	@Override
	public NodeStatus check(HostAndPort node) {
		try {
			boolean open = this.connections.containsKey(node);
			Connection connection = connection(node);
			long started = System.nanoTime();
			NodeStatus status = check(connection, node);
			this.roundTrips.put(node, open ? System.nanoTime() - started : -1);
			return status;
		}
		catch (SQLException | RuntimeException ex) {
			discard(node);
			return NodeStatus.unreachable(node, describe(ex));
		}
	}

	@Override
	public long lastRoundTripNanos(HostAndPort node) {
		return this.roundTrips.getOrDefault(node, -1L);
	}

	/**
	 * Checks a node on a connection to it, as the probe does on its own.
	 * @param connection the connection, outside any transaction
	 * @param node the node the connection was made to
	 * @return what the check found, with the server that answered
	 * @throws SQLException when the check fails
	 */
	public static NodeStatus check(Connection connection, HostAndPort node) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(QUERY)) {
			rs.next();
			boolean inRecovery = rs.getBoolean(1);
			Timestamp replayed = rs.getTimestamp(4);
			long lagMillis = rs.getLong(5);
			Duration lag = rs.wasNull() ? null : Duration.ofMillis(lagMillis);
			String address = rs.getString(6);
			int port = rs.getInt(7);
			HostAndPort server = (address != null && !rs.wasNull()) ? new HostAndPort(address, port) : null;
			Timestamp started = rs.getTimestamp(8);
			return NodeStatus
				.answered(node, inRecovery ? NodeRole.STANDBY : NodeRole.PRIMARY, lsn(rs.getString(2)),
						lsn(rs.getString(3)), (replayed != null) ? replayed.toInstant() : null, lag)
				.withServer(server, (started != null) ? started.toInstant() : null);
		}
	}

	private Connection connection(HostAndPort node) throws SQLException {
		Connection existing = this.connections.get(node);
		if (existing != null) {
			return existing;
		}
		ClusterSpec spec = this.specs.apply(node);
		Properties properties = spec.connectionProperties();
		String seconds = Long.toString(Math.max(1, (this.timeout.toMillis() + 999) / 1000));
		properties.setProperty("connectTimeout", seconds);
		properties.setProperty("loginTimeout", seconds);
		properties.setProperty("socketTimeout", seconds);
		properties.setProperty("ApplicationName", "tandem-topology");
		Connection connection = this.driver.connect(spec.jdbcUrl(List.of(node)), properties);
		if (connection == null) {
			throw new SQLException("pgjdbc refused URL for " + node);
		}
		// A check is one short query: a node that cannot answer it quickly has stopped
		// answering (frozen, or its network drops packets).
		connection.setNetworkTimeout(null, (int) Math.max(1, this.answerTimeout.toMillis()));
		this.connections.put(node, connection);
		return connection;
	}

	@Override
	public void reconnect(HostAndPort node) {
		discard(node);
	}

	private void discard(HostAndPort node) {
		Connection connection = this.connections.remove(node);
		if (connection != null) {
			try {
				connection.close();
			}
			catch (SQLException ex) {
				// The connection is already broken; nothing more to release.
			}
		}
	}

	private static @Nullable Lsn lsn(@Nullable String text) {
		return (text != null) ? Lsn.parse(text) : null;
	}

	private static String describe(Exception ex) {
		String message = ex.getMessage();
		if (ex instanceof SQLException sql && sql.getSQLState() != null) {
			return message + " (SQLState " + sql.getSQLState() + ")";
		}
		return (message != null) ? message : ex.getClass().getSimpleName();
	}

	@Override
	public void close() {
		this.connections.keySet().forEach(this::discard);
	}

}
