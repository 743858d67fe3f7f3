/*
 * Copyright 2026 the original author or authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package dev.tandem.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One PostgreSQL server of a {@link PostgresCluster}: a data directory, a port on
 * {@code 127.0.0.1} and the server process started by {@code pg_ctl}.
 * <p>
 * Methods that ask the server (such as {@link #isInRecovery()}) open a short-lived
 * connection each time and throw {@link IllegalStateException} when the server cannot be
 * reached.
 *
 * @author Tandem contributors
 */
public final class PostgresNode {

	static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final Duration POLL = Duration.ofMillis(20);

	private static final int LOG_LINES = 30;

	/** The setting name at the start of a configuration file line. */
	private static final Pattern SETTING_LINE = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*(=|\\s|$)");

	/** Internal queries use it: it exists before the application database does. */
	private static final String MAINTENANCE_DATABASE = "postgres";

	private final PostgresCluster cluster;

	private final String name;

	private final Path folder;

	private final Path dataDirectory;

	private final Path logFile;

	private volatile int port;

	PostgresNode(PostgresCluster cluster, int index, Path folder, int port) {
		this.cluster = cluster;
		this.name = "node" + index;
		this.folder = folder;
		this.dataDirectory = folder.resolve("data");
		this.logFile = folder.resolve("server.log");
		this.port = port;
	}

	/**
	 * Return the name of this node: {@code node0} for the initial primary, then
	 * {@code node1}, {@code node2}, ... It is also the node's {@code application_name} on
	 * the primary it streams from.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Return the address the server listens on, always {@code 127.0.0.1}.
	 * @return the host
	 */
	public String host() {
		return PostgresCluster.HOST;
	}

	/**
	 * Return the TCP port the server listens on.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Return a JDBC URL for this node alone, without credentials or parameters, such as
	 * {@code jdbc:postgresql://127.0.0.1:5432/tandem}.
	 * @return the JDBC URL
	 */
	public String jdbcUrl() {
		return "jdbc:postgresql://" + address() + "/" + PostgresCluster.encode(this.cluster.database());
	}

	/**
	 * Return a libpq connection URI for this node alone with the application role's
	 * credentials, such as {@code postgresql://tandem:tandem@127.0.0.1:5432/tandem}.
	 * @return the libpq URI
	 */
	public String libpqUrl() {
		return "postgresql://" + this.cluster.userInfo() + "@" + address() + "/"
				+ PostgresCluster.encode(this.cluster.database());
	}

	String address() {
		return host() + ":" + this.port;
	}

	/**
	 * Return the data directory of this node ({@code PGDATA}).
	 * @return the data directory
	 */
	public Path dataDirectory() {
		return this.dataDirectory;
	}

	/**
	 * Return the file the server writes its log to.
	 * @return the server log
	 */
	public Path logFile() {
		return this.logFile;
	}

	/**
	 * Open a connection to this node as the cluster's ordinary application role (password
	 * authentication, no superuser rights).
	 * @return a new connection; the caller closes it
	 * @throws SQLException if the connection fails
	 */
	public Connection connect() throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", this.cluster.username());
		properties.setProperty("password", this.cluster.password());
		properties.setProperty("connectTimeout", "10");
		return DriverManager.getConnection(jdbcUrl(), properties);
	}

	/**
	 * Open a connection to the application database of this node as the internal
	 * superuser {@code postgres}, for test set-up that the application role may not do.
	 * @return a new connection; the caller closes it
	 * @throws SQLException if the connection fails
	 */
	public Connection connectAsSuperuser() throws SQLException {
		return connectAsSuperuser(this.cluster.database());
	}

	/**
	 * Open a connection to the maintenance database as the internal superuser, for
	 * statements whose effect lasts as long as the session.
	 * @return a new connection; the caller closes it
	 * @throws SQLException if the connection fails
	 */
	Connection connectToMaintenanceDatabase() throws SQLException {
		return connectAsSuperuser(MAINTENANCE_DATABASE);
	}

	private Connection connectAsSuperuser(String database) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", PostgresCluster.SUPERUSER);
		properties.setProperty("connectTimeout", "10");
		properties.setProperty("socketTimeout", Long.toString(TIMEOUT.toSeconds()));
		properties.setProperty("ApplicationName", "tandem-testkit");
		return DriverManager.getConnection("jdbc:postgresql://" + address() + "/" + PostgresCluster.encode(database),
				properties);
	}

	/**
	 * Return whether the server of this node runs: its {@code postmaster.pid} names a
	 * live process.
	 * @return whether the server runs
	 */
	public boolean isRunning() {
		return Processes.postmasterPid(this.dataDirectory).isPresent();
	}

	/**
	 * Ask the server whether it is in recovery, that is, a standby.
	 * @return the result of {@code pg_is_in_recovery()}
	 * @throws IllegalStateException if the server cannot be asked
	 */
	public boolean isInRecovery() {
		return Boolean.parseBoolean(querySingle("SELECT pg_is_in_recovery()::text"));
	}

	/**
	 * Stop the server with {@code pg_ctl -m fast -w stop}: clients are disconnected and a
	 * shutdown checkpoint is written. Falls back to {@link #kill()} if that fails. A
	 * {@link PostgresCluster#freeze(PostgresNode) frozen} node is thawed first. Does
	 * nothing if the server does not run.
	 */
	public void stop() {
		this.cluster.thaw(this);
		if (!isRunning()) {
			return;
		}
		Processes.Result result = pgCtl("-m", "fast", "-w", "-t", Long.toString(TIMEOUT.toSeconds()), "stop");
		if (!result.succeeded() || isRunning()) {
			kill();
		}
	}

	/**
	 * Stop the server like a crash, with {@code pg_ctl -m immediate stop}: no shutdown
	 * checkpoint, the next start runs crash recovery. A
	 * {@link PostgresCluster#freeze(PostgresNode) frozen} node is thawed first. Does
	 * nothing if the server does not run.
	 * @throws IllegalStateException if the server is still alive afterwards
	 */
	public void kill() {
		this.cluster.thaw(this);
		Optional<Long> pid = Processes.postmasterPid(this.dataDirectory);
		if (pid.isEmpty()) {
			return;
		}
		pgCtl("-m", "immediate", "-w", "-t", "10", "stop");
		if (!Processes.awaitDeath(pid.get(), Duration.ofSeconds(1))
				&& !Processes.killPostgres(pid.get(), Duration.ofSeconds(10))) {
			throw new IllegalStateException("Could not stop " + this.name + " (pid " + pid.get() + ", data directory "
					+ this.dataDirectory + ")");
		}
	}

	/**
	 * Start the server with {@code pg_ctl -w start} on its port and wait until it accepts
	 * connections. A node that was a standby starts as a standby again. Does nothing if
	 * the server already runs.
	 * @throws IllegalStateException if it does not start; the message holds the last
	 * lines of the server log
	 */
	public void start() {
		start(false);
	}

	void start(boolean mayChangePort) {
		if (isRunning()) {
			return;
		}
		int attempts = mayChangePort ? 3 : 1;
		for (int attempt = 1;; attempt++) {
			Processes.Result result = pgCtl("-l", this.logFile.toString(), "-w", "-t",
					Long.toString(TIMEOUT.toSeconds()), "start");
			if (result.succeeded()) {
				return;
			}
			String log = FileTree.tail(this.logFile, LOG_LINES);
			// A server that did not become ready in time may still run.
			kill();
			if (attempt < attempts && isPortClash(log)) {
				this.port = this.cluster.freePort();
				writeNodeConfiguration();
				continue;
			}
			throw new IllegalStateException("Could not start " + this.name + " of cluster '" + this.cluster.name()
					+ "' on port " + this.port + " (data directory " + this.dataDirectory + "): pg_ctl exited with "
					+ result.exitCode() + System.lineSeparator() + result.output() + System.lineSeparator()
					+ "Last lines of " + this.logFile + ":" + System.lineSeparator() + log);
		}
	}

	private static boolean isPortClash(String log) {
		return log.contains("Address already in use") || log.contains("could not bind")
				|| log.contains("could not create lock file");
	}

	/**
	 * Pause WAL replay on this standby ({@code pg_wal_replay_pause()}) and wait until the
	 * server reports it {@code paused}. WAL keeps arriving but is not applied, so new
	 * rows stay invisible here until {@link #resumeReplay()}.
	 * @throws IllegalStateException if this node is not a standby or the pause does not
	 * take effect in time
	 */
	public void pauseReplay() {
		execute("SELECT pg_wal_replay_pause()");
		if (!Processes.await(TIMEOUT, POLL,
				() -> "paused".equals(querySingle("SELECT pg_get_wal_replay_pause_state()")))) {
			throw new IllegalStateException("Replay on " + this.name + " did not pause within " + TIMEOUT + " (state '"
					+ querySingle("SELECT pg_get_wal_replay_pause_state()") + "')");
		}
	}

	/**
	 * Resume WAL replay on this standby ({@code pg_wal_replay_resume()}).
	 * @throws IllegalStateException if this node is not a standby
	 */
	public void resumeReplay() {
		execute("SELECT pg_wal_replay_resume()");
	}

	@Override
	public String toString() {
		return this.name + " (" + address() + ")";
	}

	PostgresCluster cluster() {
		return this.cluster;
	}

	Path folder() {
		return this.folder;
	}

	void writeNodeConfiguration() {
		write(this.dataDirectory.resolve(PostgresCluster.NODE_CONFIGURATION),
				"# Written by the Tandem testkit for " + this.name + "\nport = " + this.port + "\n");
	}

	void becomeStandbyOf(PostgresNode primary) {
		becomeStandbyOf(primary, Map.of());
	}

	/**
	 * Write {@code standby.signal} and set {@code primary_conninfo} and {@code settings}
	 * in {@code postgresql.auto.conf}, replacing earlier lines for them and any
	 * {@code primary_slot_name}: a data folder copied from another node carries that
	 * node's values.
	 * @param primary the node to stream from
	 * @param settings further settings, written quoted
	 */
	void becomeStandbyOf(PostgresNode primary, Map<String, String> settings) {
		write(this.dataDirectory.resolve("standby.signal"), "");
		Map<String, String> all = new LinkedHashMap<>(settings);
		all.put("primary_conninfo", primaryConninfo(primary));
		Set<String> replaced = new HashSet<>(all.keySet());
		replaced.add("primary_slot_name");
		Path file = this.dataDirectory.resolve("postgresql.auto.conf");
		try {
			List<String> lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8)
					: new ArrayList<>();
			lines.removeIf((line) -> {
				Matcher setting = SETTING_LINE.matcher(line);
				return setting.lookingAt() && replaced.contains(setting.group(1).toLowerCase(Locale.ROOT));
			});
			all.forEach((key, value) -> lines.add(key + " = " + PostgresCluster.literal(value)));
			Files.write(file, lines, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	String primaryConninfo(PostgresNode primary) {
		return "host=" + PostgresCluster.HOST + " port=" + primary.port() + " user=" + PostgresCluster.SUPERUSER
				+ " application_name=" + this.name;
	}

	String querySingle(String sql, Object... parameters) {
		try (Connection connection = connectAsSuperuser(MAINTENANCE_DATABASE);
				PreparedStatement statement = connection.prepareStatement(sql)) {
			for (int i = 0; i < parameters.length; i++) {
				statement.setObject(i + 1, parameters[i]);
			}
			try (ResultSet resultSet = statement.executeQuery()) {
				return resultSet.next() ? resultSet.getString(1) : null;
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(
					"Could not run '" + sql + "' on " + this + ": " + ex.getMessage() + logHint(), ex);
		}
	}

	void execute(String... statements) {
		try (Connection connection = connectAsSuperuser(MAINTENANCE_DATABASE);
				Statement statement = connection.createStatement()) {
			for (String sql : statements) {
				statement.execute(sql);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(
					"Could not run " + List.of(statements) + " on " + this + ": " + ex.getMessage() + logHint(), ex);
		}
	}

	String logHint() {
		return isRunning() ? "" : " (server not running; see " + this.logFile + ")";
	}

	Processes.Result pgCtl(String... arguments) {
		List<String> command = new ArrayList<>();
		command.add(this.cluster.binaries().bin("pg_ctl").toString());
		command.add("-D");
		command.add(this.dataDirectory.toString());
		command.addAll(List.of(arguments));
		return Processes.run(command, TIMEOUT.plusSeconds(15));
	}

	private static void write(Path file, String content) {
		try {
			Files.writeString(file, content, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
