package dev.tandem.pool;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.Properties;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

/**
 * The writer pool's source of new connections: pgjdbc's driver over the multi-host URL,
 * asked only while a primary is up (see {@link PrimaryGate}).
 */
final class GatedDriverDataSource implements DataSource {

	private final Driver driver = new org.postgresql.Driver();

	private final String url;

	private final Properties properties;

	private final PrimaryGate gate;

	private volatile int loginTimeout = TandemPools.LOGIN_TIMEOUT_SECONDS;

	GatedDriverDataSource(String url, Properties properties, PrimaryGate gate) {
		this.url = url;
		this.properties = properties;
		this.gate = gate;
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
			this.gate.awaitUp();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SQLTransientConnectionException("Interrupted while waiting for a primary", "08001", ex);
		}
		Connection connection = this.driver.connect(this.url, properties);
		if (connection == null) {
			throw new SQLException("pgjdbc does not accept the URL " + this.url, "08001");
		}
		return connection;
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
