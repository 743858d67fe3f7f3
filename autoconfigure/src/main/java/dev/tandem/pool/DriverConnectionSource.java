package dev.tandem.pool;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.logging.Logger;

import javax.sql.DataSource;

import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;

/**
 * A pool's source of new connections: pgjdbc's driver, with every connection it makes
 * kept in {@link LiveConnections} until it is closed. A reader's source asks each new
 * connection once which server it reached ({@code inet_server_addr()},
 * {@code inet_server_port()}), so that a read through a load-balanced endpoint is held to
 * that server's state, not the endpoint's, and when that server was started
 * ({@code pg_postmaster_start_time()}), so that a read is held to a position the topology
 * saw only on the same run of the server.
 * <p>
 * The writer's source is gated (see {@link PrimaryGate}): it asks the driver only while a
 * primary is up. An attempt that fails with a connection error while the gate is up (the
 * primary died a moment ago) asks the topology to check now and waits for its verdict,
 * then tries again: down, it waits at the gate until a primary is known; up, it tries at
 * once. HikariCP sees no failure, so it never backs off while a failover is under way,
 * and a caller already waiting for a connection gets one as soon as a primary is known.
 * Only attempts that keep failing for the pool's connection timeout while the topology
 * insists the primary is up are reported to HikariCP.
 */
final class DriverConnectionSource implements DataSource {

	private static final String SERVER_QUERY = "SELECT host(inet_server_addr()), inet_server_port(), "
			+ "pg_postmaster_start_time()";

	private final Driver driver = new org.postgresql.Driver();

	private final String url;

	private final Properties properties;

	private final LiveConnections live;

	private final @Nullable PrimaryGate gate;

	private final PoolFailureListener failures;

	private final long retryNanos;

	private final @Nullable Consumer<HostAndPort> reached;

	private volatile int loginTimeout = TandemPools.LOGIN_TIMEOUT_SECONDS;

	/**
	 * Creates an ungated source that asks each new connection which server it reached.
	 * @param url the JDBC URL
	 * @param properties the driver properties, credentials included
	 * @param live keeps the connections made
	 * @param reached hears the server each new connection reached
	 */
	DriverConnectionSource(String url, Properties properties, LiveConnections live, Consumer<HostAndPort> reached) {
		this(url, properties, live, null, PoolFailureListener.NONE, Duration.ZERO, reached);
	}

	/**
	 * Creates a source.
	 * @param url the JDBC URL
	 * @param properties the driver properties, credentials included
	 * @param live keeps the connections made
	 * @param gate asked before each attempt, or {@code null} for none
	 * @param failures hears attempts that failed with a connection error
	 * @param retry how long attempts may fail while the gate stays up before a failure is
	 * reported to the pool
	 */
	DriverConnectionSource(String url, Properties properties, LiveConnections live, @Nullable PrimaryGate gate,
			PoolFailureListener failures, Duration retry) {
		this(url, properties, live, gate, failures, retry, null);
	}

	private DriverConnectionSource(String url, Properties properties, LiveConnections live, @Nullable PrimaryGate gate,
			PoolFailureListener failures, Duration retry, @Nullable Consumer<HostAndPort> reached) {
		this.url = url;
		this.properties = properties;
		this.live = live;
		this.gate = gate;
		this.failures = failures;
		this.retryNanos = retry.toNanos();
		this.reached = reached;
	}

	@Override
	public Connection getConnection() throws SQLException {
		return connect(this.properties);
	}

	@Override
	public Connection getConnection(@Nullable String username, @Nullable String password) throws SQLException {
		Properties withCredentials = new Properties();
		withCredentials.putAll(this.properties);
		if (username != null) {
			withCredentials.setProperty("user", username);
		}
		if (password != null) {
			withCredentials.setProperty("password", password);
		}
		return connect(withCredentials);
	}

	private Connection connect(Properties properties) throws SQLException {
		try {
			long failingSince = 0;
			while (true) {
				if (this.gate != null && this.gate.awaitUp()) {
					// A primary came back: a new series of attempts.
					failingSince = 0;
				}
				try {
					return attempt(properties);
				}
				catch (SQLException ex) {
					// A released gate (the pool is closing) waits for nothing: trying
					// again
					// would only hold up the close.
					if (this.gate == null || this.gate.isReleased() || !SqlStates.isConnectionFailure(ex)) {
						throw ex;
					}
					Instant failedAt = Instant.now();
					long now = System.nanoTime();
					failingSince = (failingSince != 0) ? failingSince : now;
					long left = this.retryNanos - (now - failingSince);
					if (left <= 0) {
						throw ex;
					}
					this.failures.writerFailed(ex);
					this.gate.awaitVerdict(failedAt, left);
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SQLTransientConnectionException("Interrupted while waiting for a primary", "08001", ex);
		}
	}

	private Connection attempt(Properties properties) throws SQLException {
		Connection connection = this.driver.connect(this.url, properties);
		if (connection == null) {
			throw new SQLException("pgjdbc does not accept the URL " + this.url, "08001");
		}
		LiveConnections.Reached reached = LiveConnections.Reached.UNKNOWN;
		if (this.reached != null) {
			try {
				reached = reached(connection);
			}
			catch (SQLException ex) {
				connection.close();
				throw ex;
			}
		}
		this.live.add(connection, reached);
		if (reached.server() != null) {
			this.reached.accept(reached.server());
		}
		return connection;
	}

	private static LiveConnections.Reached reached(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(SERVER_QUERY)) {
			if (!rs.next()) {
				return LiveConnections.Reached.UNKNOWN;
			}
			String address = rs.getString(1);
			int port = rs.getInt(2);
			HostAndPort server = (address != null && !rs.wasNull()) ? new HostAndPort(address, port) : null;
			Timestamp started = rs.getTimestamp(3);
			return new LiveConnections.Reached(server, (started != null) ? started.toInstant() : null);
		}
	}

	@Override
	public @Nullable PrintWriter getLogWriter() {
		return null;
	}

	@Override
	public void setLogWriter(PrintWriter out) {
	}

	@Override
	public void setLoginTimeout(int seconds) {
		// pgjdbc reads loginTimeout from the connection properties, which Tandem sets;
		// HikariCP reads it back to bound its wait for connection attempts at shutdown.
		this.loginTimeout = seconds;
	}

	@Override
	public int getLoginTimeout() {
		return this.loginTimeout;
	}

	@Override
	public Logger getParentLogger() throws SQLFeatureNotSupportedException {
		throw new SQLFeatureNotSupportedException();
	}

	@Override
	public <T> T unwrap(Class<T> type) throws SQLException {
		if (type.isInstance(this)) {
			return type.cast(this);
		}
		throw new SQLException("Not a wrapper for " + type.getName());
	}

	@Override
	public boolean isWrapperFor(Class<?> type) {
		return type.isInstance(this);
	}

}
