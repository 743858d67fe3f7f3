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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Cluster on {@code 127.0.0.1} for tests: masters without replicas, each a
 * {@link RedisServer} started with {@code cluster-enabled yes}, the 16384 hash slots
 * split evenly among them in order.
 * <p>
 * Redis 6.2 has neither {@code CLUSTER ADDSLOTSRANGE} nor a configurable bus port, and
 * embedded-redis ships no {@code redis-cli}: the testkit assigns the slots with
 * {@code CLUSTER ADDSLOTS}, gives each node its own config epoch and introduces the nodes
 * with {@code CLUSTER MEET}, as {@code redis-cli --cluster create} would. Every node's
 * bus listens on its port + 10000, so both ports are chosen free.
 * <p>
 * Each node has a folder {@code node-1}, {@code node-2}, … under
 * {@code <baseDirectory>/<name>}, with its {@code nodes.conf}; a node that is
 * {@link RedisServer#stop() stopped} and {@link RedisServer#start() started} again keeps
 * its slots but loses its keys. {@link #close()} stops every node and deletes the folder.
 *
 * @author Tandem contributors
 */
public final class RedisCluster implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RedisCluster.class);

	/** The number of hash slots of every Redis Cluster. */
	public static final int SLOTS = 16384;

	static final Duration START_TIMEOUT = Duration.ofSeconds(30);

	static final int BUS_PORT_OFFSET = 10000;

	private static final Duration POLL = Duration.ofMillis(20);

	private static final int LOG_LINES = 20;

	private static final Set<RedisCluster> open = ConcurrentHashMap.newKeySet();

	private final String name;

	private final Path directory;

	private final List<RedisServer> nodes;

	private volatile boolean closed;

	private RedisCluster(String name, Path directory, List<RedisServer> nodes) {
		this.name = name;
		this.directory = directory;
		this.nodes = List.copyOf(nodes);
	}

	/**
	 * Start a cluster of three masters with the defaults documented on {@link Builder}.
	 * Shorthand for {@code RedisCluster.builder().start()}.
	 * @return the running cluster; close it when done
	 * @throws IllegalStateException if it does not start
	 */
	public static RedisCluster startNew() {
		return builder().start();
	}

	/**
	 * Return a builder for a cluster with the defaults documented on {@link Builder}.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return the address every node listens on, always {@code 127.0.0.1}.
	 * @return the host
	 */
	public String host() {
		return FreePorts.HOST;
	}

	/**
	 * Return the nodes' addresses as {@code host:port}, for example for
	 * {@code spring.data.redis.cluster.nodes} (joined with commas).
	 * @return the addresses, in the order of {@link #nodes()}
	 */
	public List<String> nodeAddresses() {
		return this.nodes.stream().map(RedisServer::address).toList();
	}

	/**
	 * Return the nodes, all masters. Do not close them; {@link #close()} does.
	 * @return the nodes, in the order of their slots
	 */
	public List<RedisServer> nodes() {
		return this.nodes;
	}

	/**
	 * Return the first hash slot of a node; its slots run up to the next node's first
	 * slot, or to 16383 for the last node.
	 * @param index the node's index in {@link #nodes()}
	 * @return the first slot
	 */
	public int firstSlot(int index) {
		Objects.checkIndex(index, this.nodes.size());
		return firstSlot(index, this.nodes.size());
	}

	/**
	 * Return the hash slot of a key, as the cluster computes it
	 * ({@code CLUSTER KEYSLOT}).
	 * @param key the key
	 * @return the slot, 0 to 16383
	 * @throws IllegalStateException if no node answers
	 */
	public int slot(String key) {
		for (RedisServer node : this.nodes) {
			try {
				return ((Long) RedisCommands.call(node.port(), "CLUSTER", "KEYSLOT", key)).intValue();
			}
			catch (IOException ex) {
				// ask the next node
			}
		}
		throw new IllegalStateException("No node of " + this + " answers CLUSTER KEYSLOT");
	}

	/**
	 * Return the node that holds a key's hash slot.
	 * @param key the key
	 * @return the node
	 * @throws IllegalStateException if no node answers
	 */
	public RedisServer nodeFor(String key) {
		int slot = slot(key);
		for (int i = this.nodes.size() - 1; i >= 0; i--) {
			if (slot >= firstSlot(i)) {
				return this.nodes.get(i);
			}
		}
		throw new IllegalStateException("No node of " + this + " holds slot " + slot);
	}

	/**
	 * Return whether every running node reports {@code cluster_state:ok}.
	 * @return whether the cluster is healthy
	 */
	public boolean isHealthy() {
		return this.nodes.stream().filter(RedisServer::isRunning).allMatch(this::isHealthy)
				&& this.nodes.stream().anyMatch(RedisServer::isRunning);
	}

	/**
	 * Return the name of this cluster, also its folder under the base directory.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Return the folder that holds one folder per node.
	 * @return the folder
	 */
	public Path directory() {
		return this.directory;
	}

	/**
	 * Stop every node and delete the folder. Calling it again does nothing.
	 * @throws IllegalStateException if a node cannot be stopped; the folder is then kept
	 * and the next start with the same name cleans it up
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
		RedisServerSets.closeAll(this.directory, this.nodes);
	}

	@Override
	public String toString() {
		return "RedisCluster '" + this.name + "' (" + String.join(",", nodeAddresses()) + ")";
	}

	static int firstSlot(int index, int count) {
		return (int) ((long) SLOTS * index / count);
	}

	/**
	 * Return whether a node reports {@code cluster_state:ok} and knows every node as
	 * connected (no handshake still running), so a client that reads its
	 * {@code CLUSTER NODES} finds the whole cluster.
	 */
	private boolean isHealthy(RedisServer node) {
		try {
			Map<String, String> info = RedisCommands.fields(node.port(), "CLUSTER", "INFO");
			if (!"ok".equals(info.get("cluster_state"))
					|| !Integer.toString(SLOTS).equals(info.get("cluster_slots_ok"))) {
				return false;
			}
			String[] lines = String.valueOf(RedisCommands.call(node.port(), "CLUSTER", "NODES")).split("\n");
			if (lines.length != this.nodes.size()) {
				return false;
			}
			for (String line : lines) {
				String[] fields = line.trim().split(" ");
				if (fields.length < 8 || !fields[2].contains("master") || fields[2].contains("handshake")
						|| fields[2].contains("fail") || fields[2].contains("noaddr")
						|| !"connected".equals(fields[7])) {
					return false;
				}
			}
			return true;
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
	}

	private void form() throws IOException {
		int count = this.nodes.size();
		for (int i = 0; i < count; i++) {
			int port = this.nodes.get(i).port();
			List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
			int end = (i + 1 < count) ? firstSlot(i + 1, count) : SLOTS;
			for (int slot = firstSlot(i, count); slot < end; slot++) {
				command.add(Integer.toString(slot));
			}
			RedisCommands.call(port, command);
			// Distinct epochs spare the nodes the collision handling of equal ones.
			RedisCommands.call(port, "CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
		}
		RedisServer first = this.nodes.get(0);
		for (RedisServer node : this.nodes.subList(1, count)) {
			RedisCommands.call(first.port(), "CLUSTER", "MEET", node.host(), Integer.toString(node.port()));
		}
	}

	private IllegalStateException failure(String message) {
		StringBuilder text = new StringBuilder(message);
		for (RedisServer node : this.nodes) {
			text.append(System.lineSeparator())
				.append("Last lines of ")
				.append(node.logFile())
				.append(":")
				.append(System.lineSeparator())
				.append(FileTree.tail(node.logFile(), LOG_LINES));
		}
		return new IllegalStateException(text.toString());
	}

	private static void forgetEarlierClusterIn(Path directory) {
		for (RedisCluster earlier : open) {
			if (earlier.directory.equals(directory)) {
				earlier.closed = true;
				open.remove(earlier);
			}
		}
	}

	/**
	 * Builder for a {@link RedisCluster}. Defaults: three masters, name
	 * {@code redis-cluster}, base directory as for {@link RedisServer}.
	 */
	public static final class Builder {

		private String name = "redis-cluster";

		private int masters = 3;

		private Path baseDirectory;

		private Builder() {
		}

		/**
		 * Set the name of the cluster, also the name of its folder under the base
		 * directory.
		 * @param name letters, digits, '.', '_' and '-', not starting with {@code pg-} or
		 * {@code redis-server-}; default {@code redis-cluster}
		 * @return this builder
		 */
		public Builder name(String name) {
			this.name = RedisServer.checkName(name);
			return this;
		}

		/**
		 * Set the number of masters.
		 * @param masters 1 to 16; default 3
		 * @return this builder
		 */
		public Builder masters(int masters) {
			if (masters < 1 || masters > 16) {
				throw new IllegalArgumentException("masters must be between 1 and 16, but was " + masters);
			}
			this.masters = masters;
			return this;
		}

		/**
		 * Set the base directory that holds the copied binary and the cluster's folder.
		 * @param directory the base directory; default as for {@link RedisServer}
		 * @return this builder
		 */
		public Builder baseDirectory(Path directory) {
			this.baseDirectory = Objects.requireNonNull(directory, "directory must not be null");
			return this;
		}

		/**
		 * Create and start the cluster: stop a leftover of an earlier run with the same
		 * base directory and name, start the nodes, assign the slots, let the nodes meet
		 * and wait until every node reports {@code cluster_state:ok} and knows every
		 * other node.
		 * @return the running cluster; close it when done
		 * @throws IllegalStateException if it does not form in time; the message holds
		 * the last lines of the nodes' logs
		 */
		public RedisCluster start() {
			long started = System.nanoTime();
			Path base = ((this.baseDirectory != null) ? this.baseDirectory : PostgresCluster.defaultBaseDirectory())
				.toAbsolutePath()
				.normalize();
			RedisBinary binary = RedisBinary.in(base);
			Path directory = base.resolve(this.name);
			forgetEarlierClusterIn(directory);
			RedisServerSets.prepare(directory);
			List<RedisServer> nodes = new ArrayList<>();
			RedisCluster cluster;
			try {
				for (int i = 1; i <= this.masters; i++) {
					nodes.add(RedisServer.builder()
						.baseDirectory(directory)
						.binary(binary)
						.name("node-" + i)
						.port(FreePorts.nextWithPartner(BUS_PORT_OFFSET))
						.arguments(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
								"--cluster-node-timeout", "5000"))
						.start());
				}
				RedisCluster formed = new RedisCluster(this.name, directory, nodes);
				try {
					formed.form();
				}
				catch (IOException ex) {
					throw formed.failure("Could not form " + formed + ": " + ex);
				}
				if (!Processes.await(START_TIMEOUT, POLL, () -> nodes.stream().allMatch(formed::isHealthy))) {
					throw formed.failure("The nodes of " + formed + " did not all report cluster_state:ok "
							+ "and know each other within " + START_TIMEOUT);
				}
				cluster = formed;
			}
			catch (RuntimeException ex) {
				RedisServerSets.stopAll(nodes, ex);
				throw ex;
			}
			open.add(cluster);
			logger.info("Started {} in {} ms", cluster, (System.nanoTime() - started) / 1_000_000);
			return cluster;
		}

	}

}
