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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Sentinel set-up on {@code 127.0.0.1} for tests: a master, one replica and
 * three sentinels (quorum 2) that monitor them under a master name, all from the same
 * {@code redis-server} binary as {@link RedisServer} (sentinels run it with
 * {@code --sentinel}).
 * <p>
 * Every process is a {@link RedisServer} in its own folder under
 * {@code <baseDirectory>/<name>}: {@code node-1} (the first master), {@code node-2} (the
 * first replica) and {@code sentinel-1} to {@code sentinel-3}. Nodes keep nothing on disk
 * but their configuration file, which Sentinel rewrites on a failover. A master that does
 * not answer for 5 s (stopped, say) is failed over by the sentinels on their own.
 * {@link #failover()} moves the master to the replica. {@link #close()} stops every
 * process and deletes the folder. A leftover of a run that did not close the set-up is
 * stopped by the next start with the same base directory and name.
 *
 * @author Tandem contributors
 */
public final class RedisSentinel implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RedisSentinel.class);

	static final Duration START_TIMEOUT = Duration.ofSeconds(30);

	static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(60);

	/**
	 * How long a master may not answer before the sentinels fail it over on their own;
	 * long enough that a busy test machine does not trigger it.
	 */
	static final Duration DOWN_AFTER = Duration.ofSeconds(5);

	private static final Duration POLL = Duration.ofMillis(20);

	private static final int SENTINELS = 3;

	private static final int QUORUM = 2;

	private static final int LOG_LINES = 20;

	private static final Pattern REPLICA = Pattern.compile("ip=([^,]+),port=(\\d+),state=([^,]+),offset=(\\d+)");

	private static final Pattern MASTER_NAME = Pattern.compile("[A-Za-z0-9._-]+");

	private static final Set<RedisSentinel> open = ConcurrentHashMap.newKeySet();

	private final String name;

	private final String masterName;

	private final Path directory;

	private final List<RedisServer> nodes;

	private final List<RedisServer> sentinels;

	private volatile boolean closed;

	private RedisSentinel(String name, String masterName, Path directory, List<RedisServer> nodes,
			List<RedisServer> sentinels) {
		this.name = name;
		this.masterName = masterName;
		this.directory = directory;
		this.nodes = List.copyOf(nodes);
		this.sentinels = List.copyOf(sentinels);
	}

	/**
	 * Start a set-up with the defaults documented on {@link Builder}. Shorthand for
	 * {@code RedisSentinel.builder().start()}.
	 * @return the running set-up; close it when done
	 * @throws IllegalStateException if it does not start
	 */
	public static RedisSentinel startNew() {
		return builder().start();
	}

	/**
	 * Return a builder for a set-up with the defaults documented on {@link Builder}.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return the name the sentinels monitor the master under, such as {@code tandem}, for
	 * example for {@code spring.data.redis.sentinel.master}.
	 * @return the master name
	 */
	public String masterName() {
		return this.masterName;
	}

	/**
	 * Return the address every process listens on, always {@code 127.0.0.1}.
	 * @return the host
	 */
	public String host() {
		return FreePorts.HOST;
	}

	/**
	 * Return the sentinels' addresses as {@code host:port}, for example for
	 * {@code spring.data.redis.sentinel.nodes} (joined with commas).
	 * @return the addresses of the three sentinels
	 */
	public List<String> sentinelAddresses() {
		return this.sentinels.stream().map(RedisServer::address).toList();
	}

	/**
	 * Return the sentinels, for example to {@link RedisServer#stop() stop} one. Do not
	 * close them; {@link #close()} does.
	 * @return the three sentinels
	 */
	public List<RedisServer> sentinels() {
		return this.sentinels;
	}

	/**
	 * Return the data nodes, master and replica, in the order they were first started:
	 * the first was the master then. Do not close them; {@link #close()} does.
	 * @return the two data nodes
	 */
	public List<RedisServer> nodes() {
		return this.nodes;
	}

	/**
	 * Return the address of the master as the first running sentinel reports it, as
	 * {@code host:port}.
	 * @return the master's address
	 * @throws IllegalStateException if no sentinel answers
	 */
	public String masterAddress() {
		for (RedisServer sentinel : this.sentinels) {
			Optional<String> address = reportedMaster(sentinel);
			if (address.isPresent()) {
				return address.get();
			}
		}
		throw new IllegalStateException("No sentinel of " + this + " reports a master for '" + this.masterName + "'");
	}

	/**
	 * Return the data node that the sentinels report as master.
	 * @return the master
	 * @throws IllegalStateException if no sentinel answers
	 */
	public RedisServer master() {
		return node(masterAddress());
	}

	/**
	 * Return the data node that is not the master.
	 * @return the replica
	 * @throws IllegalStateException if no sentinel answers
	 */
	public RedisServer replica() {
		RedisServer master = master();
		return this.nodes.stream().filter((node) -> node != master).findFirst().orElseThrow();
	}

	/**
	 * Wait until the master has a replica online that has received every write the master
	 * had taken when this method was called. Redis replicates asynchronously: a write
	 * acknowledged by the master may be lost by a failover that happens before this.
	 * @param timeout how long to wait at most
	 * @throws IllegalStateException if the replica does not catch up in time
	 */
	public void awaitReplication(Duration timeout) {
		RedisServer master = master();
		long target;
		try {
			target = Long.parseLong(
					RedisCommands.fields(master.port(), "INFO", "replication").getOrDefault("master_repl_offset", "0"));
		}
		catch (IOException | NumberFormatException ex) {
			throw new IllegalStateException("Could not read the replication offset of " + master + ": " + ex, ex);
		}
		if (!Processes.await(timeout, POLL, () -> replicatedUpTo(master, target))) {
			throw new IllegalStateException("No replica of " + master + " in " + this + " received offset " + target
					+ " within " + timeout + "; replication of the master: " + replicationInfo(master));
		}
	}

	/**
	 * Move the master to the replica, as an operator would: wait until the replica has
	 * every write the master has taken ({@link #awaitReplication(Duration)}), ask a
	 * sentinel {@code SENTINEL FAILOVER <master name>}, and wait until every running
	 * sentinel reports the replica as master and it accepts writes (the probe writes the
	 * key {@code tandem:testkit:failover}). The old master turns into a replica of the
	 * new one when Sentinel reconfigures it, about ten seconds later; until then it still
	 * takes writes from clients that reach it directly. A second failover waits for that
	 * (at most 60 s in all).
	 * @return the new master
	 * @throws IllegalStateException if the failover does not complete in time; the
	 * message holds the last lines of the sentinels' logs
	 */
	public synchronized RedisServer failover() {
		long started = System.nanoTime();
		long deadline = started + FAILOVER_TIMEOUT.toNanos();
		RedisServer oldMaster = master();
		awaitReplication(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
		String lastError = null;
		while (true) {
			RedisServer sentinel = runningSentinel();
			try {
				RedisCommands.call(sentinel.port(), "SENTINEL", "FAILOVER", this.masterName);
				break;
			}
			catch (RedisCommands.ErrorReply ex) {
				// NOGOODSLAVE while no sentinel has seen the replica catch up (right
				// after
				// an earlier failover), INPROG while an earlier one still runs.
				lastError = ex.getMessage();
			}
			catch (IOException ex) {
				lastError = ex.toString();
			}
			if (System.nanoTime() - deadline > 0) {
				throw failure("Sentinels of " + this + " refused SENTINEL FAILOVER " + this.masterName + " for "
						+ FAILOVER_TIMEOUT + ": " + lastError);
			}
			Processes.pause(Duration.ofMillis(100));
		}
		String oldAddress = oldMaster.address();
		if (!Processes.awaitUntil(deadline, POLL, () -> switched(oldAddress))) {
			throw failure("The sentinels of " + this + " did not agree on a new master within " + FAILOVER_TIMEOUT
					+ " after SENTINEL FAILOVER " + this.masterName + " (the master was " + oldAddress + ")");
		}
		RedisServer newMaster = master();
		logger.info("Failed {} over from {} to {} in {} ms", this, oldAddress, newMaster.address(),
				(System.nanoTime() - started) / 1_000_000);
		return newMaster;
	}

	/**
	 * Return the name of this set-up, also its folder under the base directory.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Return the folder that holds one folder per process.
	 * @return the folder
	 */
	public Path directory() {
		return this.directory;
	}

	/**
	 * Stop every process and delete the folder. Calling it again does nothing.
	 * @throws IllegalStateException if a process cannot be stopped; the folder is then
	 * kept and the next start with the same name cleans it up
	 */
	@Override
	public void close() {
		synchronized (this) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			open.remove(this);
		}
		RedisServerSets.closeAll(this.directory, RedisServerSets.concat(this.sentinels, this.nodes));
	}

	@Override
	public String toString() {
		return "RedisSentinel '" + this.name + "' (master name " + this.masterName + ", sentinels "
				+ String.join(",", sentinelAddresses()) + ")";
	}

	private boolean switched(String oldAddress) {
		String reported = null;
		for (RedisServer sentinel : this.sentinels) {
			if (sentinel.isRunning()) {
				Optional<String> address = reportedMaster(sentinel);
				if (address.isEmpty() || address.get().equals(oldAddress)
						|| (reported != null && !reported.equals(address.get()))) {
					return false;
				}
				reported = address.get();
			}
		}
		if (reported == null) {
			return false;
		}
		try {
			int port = node(reported).port();
			List<?> role = (List<?>) RedisCommands.call(port, "ROLE");
			return "master".equals(role.get(0))
					&& "OK".equals(RedisCommands.call(port, "SET", "tandem:testkit:failover", oldAddress));
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
	}

	private Optional<String> reportedMaster(RedisServer sentinel) {
		try {
			Object reply = RedisCommands.call(sentinel.port(), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", this.masterName);
			if (reply instanceof List<?> address && address.size() == 2) {
				return Optional.of(address.get(0) + ":" + address.get(1));
			}
			return Optional.empty();
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	private RedisServer node(String address) {
		return this.nodes.stream()
			.filter((node) -> node.address().equals(address))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException(
					"The sentinels of " + this + " report master " + address + ", which is none of its nodes"));
	}

	private RedisServer runningSentinel() {
		return this.sentinels.stream()
			.filter(RedisServer::isRunning)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No sentinel of " + this + " runs"));
	}

	private static boolean replicatedUpTo(RedisServer master, long target) {
		try {
			Map<String, String> info = RedisCommands.fields(master.port(), "INFO", "replication");
			boolean any = false;
			for (Map.Entry<String, String> field : info.entrySet()) {
				if (field.getKey().matches("slave\\d+")) {
					Matcher matcher = REPLICA.matcher(field.getValue());
					if (matcher.find() && "online".equals(matcher.group(3))) {
						if (Long.parseLong(matcher.group(4)) < target) {
							return false;
						}
						any = true;
					}
				}
			}
			return any;
		}
		catch (IOException | NumberFormatException ex) {
			return false;
		}
	}

	private static String replicationInfo(RedisServer node) {
		try {
			return RedisCommands.fields(node.port(), "INFO", "replication").toString();
		}
		catch (IOException ex) {
			return ex.toString();
		}
	}

	private IllegalStateException failure(String message) {
		StringBuilder text = new StringBuilder(message);
		for (RedisServer sentinel : this.sentinels) {
			text.append(System.lineSeparator())
				.append("Last lines of ")
				.append(sentinel.logFile())
				.append(":")
				.append(System.lineSeparator())
				.append(FileTree.tail(sentinel.logFile(), LOG_LINES));
		}
		return new IllegalStateException(text.toString());
	}

	private boolean isReady() {
		try {
			RedisServer master = this.nodes.get(0);
			Map<String, String> replica = RedisCommands.fields(this.nodes.get(1).port(), "INFO", "replication");
			if (!"up".equals(replica.get("master_link_status"))) {
				return false;
			}
			for (RedisServer sentinel : this.sentinels) {
				Map<String, String> state = RedisCommands
					.pairs(RedisCommands.call(sentinel.port(), "SENTINEL", "MASTER", this.masterName));
				if (!"master".equals(state.get("flags")) || !master.address().equals(address(state))
						|| !Integer.toString(SENTINELS - 1).equals(state.get("num-other-sentinels"))) {
					return false;
				}
				Object replicas = RedisCommands.call(sentinel.port(), "SENTINEL", "REPLICAS", this.masterName);
				if (!(replicas instanceof List<?> list) || list.size() != 1
						|| !"slave".equals(RedisCommands.pairs(list.get(0)).get("flags"))) {
					return false;
				}
			}
			return true;
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
	}

	private static String address(Map<String, String> state) {
		return state.get("ip") + ":" + state.get("port");
	}

	/**
	 * Builder for a {@link RedisSentinel}. Defaults: name {@code redis-sentinel}, master
	 * name {@code tandem}, base directory as for {@link RedisServer}.
	 */
	public static final class Builder {

		private String name = "redis-sentinel";

		private String masterName = "tandem";

		private Path baseDirectory;

		private Builder() {
		}

		/**
		 * Set the name of the set-up, also the name of its folder under the base
		 * directory.
		 * @param name letters, digits, '.', '_' and '-', not starting with {@code pg-} or
		 * {@code redis-server-}; default {@code redis-sentinel}
		 * @return this builder
		 */
		public Builder name(String name) {
			this.name = RedisServer.checkName(name);
			return this;
		}

		/**
		 * Set the name the sentinels monitor the master under.
		 * @param masterName letters, digits, '.', '_' and '-'; default {@code tandem}
		 * @return this builder
		 */
		public Builder masterName(String masterName) {
			Objects.requireNonNull(masterName, "masterName must not be null");
			if (!MASTER_NAME.matcher(masterName).matches()) {
				throw new IllegalArgumentException(
						"masterName '" + masterName + "' must be letters, digits, '.', '_' and '-'");
			}
			this.masterName = masterName;
			return this;
		}

		/**
		 * Set the base directory that holds the copied binary and the set-up's folder.
		 * @param directory the base directory; default as for {@link RedisServer}
		 * @return this builder
		 */
		public Builder baseDirectory(Path directory) {
			this.baseDirectory = Objects.requireNonNull(directory, "directory must not be null");
			return this;
		}

		/**
		 * Create and start the set-up: stop a leftover of an earlier run with the same
		 * base directory and name, start the master, the replica and the three sentinels,
		 * and wait until the replica is in sync and every sentinel knows the master, the
		 * replica and the two other sentinels.
		 * @return the running set-up; close it when done
		 * @throws IllegalStateException if it does not start in time; the message holds
		 * the last lines of the sentinels' logs
		 */
		public RedisSentinel start() {
			long started = System.nanoTime();
			Path base = ((this.baseDirectory != null) ? this.baseDirectory : PostgresCluster.defaultBaseDirectory())
				.toAbsolutePath()
				.normalize();
			RedisBinary binary = RedisBinary.in(base);
			Path directory = base.resolve(this.name);
			forgetEarlierSetUpIn(directory);
			RedisServerSets.prepare(directory);
			List<RedisServer> nodes = new ArrayList<>();
			List<RedisServer> sentinels = new ArrayList<>();
			try {
				RedisServer master = node(directory, binary, "node-1").configuration("").start();
				nodes.add(master);
				nodes.add(node(directory, binary, "node-2")
					.configuration("replicaof " + master.host() + " " + master.port() + "\n")
					.start());
				String configuration = "sentinel monitor " + this.masterName + " " + master.host() + " " + master.port()
						+ " " + QUORUM + "\n" + "sentinel down-after-milliseconds " + this.masterName + " "
						+ DOWN_AFTER.toMillis() + "\n" + "sentinel failover-timeout " + this.masterName + " 10000\n";
				for (int i = 1; i <= SENTINELS; i++) {
					sentinels.add(node(directory, binary, "sentinel-" + i).configuration(configuration)
						.arguments(List.of("--sentinel"))
						.start());
				}
			}
			catch (RuntimeException ex) {
				RedisServerSets.stopAll(RedisServerSets.concat(sentinels, nodes), ex);
				throw ex;
			}
			RedisSentinel sentinel = new RedisSentinel(this.name, this.masterName, directory, nodes, sentinels);
			if (!Processes.await(START_TIMEOUT, POLL, sentinel::isReady)) {
				IllegalStateException failure = sentinel.failure("The sentinels of " + sentinel
						+ " did not see the master, its replica in sync and each other within " + START_TIMEOUT);
				RedisServerSets.stopAll(RedisServerSets.concat(sentinels, nodes), failure);
				throw failure;
			}
			open.add(sentinel);
			logger.info("Started {} in {} ms", sentinel, (System.nanoTime() - started) / 1_000_000);
			return sentinel;
		}

		private static RedisServer.Builder node(Path directory, RedisBinary binary, String name) {
			return RedisServer.builder().baseDirectory(directory).binary(binary).name(name);
		}

	}

	private static void forgetEarlierSetUpIn(Path directory) {
		for (RedisSentinel earlier : open) {
			if (earlier.directory.equals(directory)) {
				earlier.closed = true;
				open.remove(earlier);
			}
		}
	}

}
