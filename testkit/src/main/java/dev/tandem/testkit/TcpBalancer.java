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

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A round-robin TCP load balancer on {@code 127.0.0.1} in front of backends, such as the
 * standbys of a {@link PostgresCluster}: a stand-in for a load-balanced endpoint
 * (CloudNativePG's {@code -ro} service, an Aurora reader endpoint, HAProxy), where each
 * new connection may reach a different server.
 * <p>
 * Each client connection is piped to the next backend in turn, bytes pumped both ways by
 * two daemon threads named {@code tandem-balancer-<port>-...}. A backend that refuses the
 * connection is skipped for the next one, once round the list, as a balancer with health
 * checks would; when every backend refuses, the client's connection is closed. When
 * either side of a piped connection closes (or fails), the other side is closed too;
 * half-closed connections are not kept. {@link #delay(InetSocketAddress, Duration)} adds
 * latency to what one backend sends.
 * <p>
 * At most 500 connections are piped at a time (further clients are closed at once) and a
 * backend has 5 s to accept a connection. {@link #close()} stops accepting, closes every
 * piped connection and waits for its threads to end.
 *
 * @author Tandem contributors
 */
public final class TcpBalancer implements AutoCloseable {

	static final int MAX_CONNECTIONS = 500;

	/** How long a backend has to accept a connection before the next one is tried. */
	static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

	private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

	private static final int BUFFER_SIZE = 16 * 1024;

	private static final Logger logger = LoggerFactory.getLogger(TcpBalancer.class);

	private final List<Backend> backends;

	private final ServerSocket serverSocket;

	private final String threadPrefix;

	private final AtomicInteger next = new AtomicInteger();

	private final AtomicLong sequence = new AtomicLong();

	private final Set<Pipe> pipes = ConcurrentHashMap.newKeySet();

	private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean closed = new AtomicBoolean();

	private TcpBalancer(ServerSocket serverSocket, List<Backend> backends) {
		this.serverSocket = serverSocket;
		this.backends = backends;
		this.threadPrefix = "tandem-balancer-" + serverSocket.getLocalPort() + "-";
		startThread("accept", this::accept);
	}

	/**
	 * Start a balancer on an ephemeral port of {@code 127.0.0.1} in front of nodes, in
	 * the given order.
	 * @param nodes the nodes, at least one, each at most once
	 * @return the running balancer; close it when done
	 * @throws IllegalArgumentException if there is no node or a node is given twice
	 */
	public static TcpBalancer forNodes(PostgresNode... nodes) {
		return forNodes(Arrays.asList(nodes));
	}

	/**
	 * Start a balancer on an ephemeral port of {@code 127.0.0.1} in front of nodes, in
	 * the given order, such as {@code forNodes(cluster.standbys())}. The nodes' ports are
	 * taken now.
	 * @param nodes the nodes, at least one, each at most once
	 * @return the running balancer; close it when done
	 * @throws IllegalArgumentException if there is no node or a node is given twice
	 */
	public static TcpBalancer forNodes(List<PostgresNode> nodes) {
		Objects.requireNonNull(nodes, "nodes must not be null");
		return forAddresses(nodes.stream().map(TcpBalancer::address).collect(Collectors.toList()));
	}

	/**
	 * Start a balancer on an ephemeral port of {@code 127.0.0.1} in front of backends, in
	 * the given order.
	 * @param backends the backends' addresses, at least one, each at most once
	 * @return the running balancer; close it when done
	 * @throws IllegalArgumentException if there is no backend or one is given twice
	 */
	public static TcpBalancer forAddresses(List<InetSocketAddress> backends) {
		return forAddresses(0, backends);
	}

	/**
	 * Start a balancer on a given port of {@code 127.0.0.1} in front of backends, in the
	 * given order.
	 * @param port the port to listen on, {@code 0} for an ephemeral one
	 * @param backends the backends' addresses, at least one, each at most once
	 * @return the running balancer; close it when done
	 * @throws IllegalArgumentException if there is no backend, one is given twice or is
	 * unresolved, or the port is out of range
	 * @throws UncheckedIOException if the port cannot be bound
	 */
	public static TcpBalancer forAddresses(int port, List<InetSocketAddress> backends) {
		Objects.requireNonNull(backends, "backends must not be null");
		if (port < 0 || port > 65535) {
			throw new IllegalArgumentException("port must be between 0 and 65535, but was " + port);
		}
		if (backends.isEmpty()) {
			throw new IllegalArgumentException("A balancer needs at least one backend");
		}
		Set<InetSocketAddress> seen = new HashSet<>();
		List<Backend> list = new ArrayList<>();
		for (InetSocketAddress address : backends) {
			Objects.requireNonNull(address, "backends must not contain null");
			if (address.isUnresolved()) {
				throw new IllegalArgumentException(
						"Backend " + address + " is unresolved: create it with new InetSocketAddress(host, port)");
			}
			if (!seen.add(address)) {
				throw new IllegalArgumentException("Backend " + describe(address) + " is given twice");
			}
			list.add(new Backend(address));
		}
		ServerSocket serverSocket;
		try {
			serverSocket = new ServerSocket(port, 50, InetAddress.getByName(FreePorts.HOST));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not listen on " + FreePorts.HOST + ":" + port, ex);
		}
		TcpBalancer balancer = new TcpBalancer(serverSocket, Collections.unmodifiableList(list));
		logger.info("Started TCP balancer on {} in front of {}", balancer.address(), balancer.describeBackends());
		return balancer;
	}

	/**
	 * Return the address the balancer listens on, always {@code 127.0.0.1}.
	 * @return the host
	 */
	public String host() {
		return FreePorts.HOST;
	}

	/**
	 * Return the port the balancer listens on.
	 * @return the port
	 */
	public int port() {
		return this.serverSocket.getLocalPort();
	}

	/**
	 * Return a JDBC URL for a database behind the balancer, without credentials or
	 * parameters, such as {@code jdbc:postgresql://127.0.0.1:PORT/tandem}.
	 * @param database the database name
	 * @return the JDBC URL
	 */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://" + address() + "/" + PostgresCluster.encode(database);
	}

	/**
	 * Return a JDBC URL for the cluster's application database behind the balancer,
	 * without credentials or parameters, such as
	 * {@code jdbc:postgresql://127.0.0.1:PORT/tandem}.
	 * @param cluster the cluster whose nodes are behind the balancer
	 * @return the JDBC URL
	 */
	public String jdbcUrl(PostgresCluster cluster) {
		return jdbcUrl(cluster.database());
	}

	/**
	 * Return a libpq connection URI for the cluster's application database behind the
	 * balancer, with the application role's credentials, such as
	 * {@code postgresql://tandem:tandem@127.0.0.1:PORT/tandem}.
	 * @param cluster the cluster whose nodes are behind the balancer
	 * @return the libpq URI
	 */
	public String libpqUrl(PostgresCluster cluster) {
		return "postgresql://" + cluster.userInfo() + "@" + address() + "/"
				+ PostgresCluster.encode(cluster.database());
	}

	/**
	 * Return the backends, in round-robin order.
	 * @return the backends' addresses
	 */
	public List<InetSocketAddress> backends() {
		return this.backends.stream().map((backend) -> backend.address).collect(Collectors.toUnmodifiableList());
	}

	/**
	 * Return how many client connections have been piped to a backend since the start;
	 * refused attempts do not count.
	 * @param backend one of {@link #backends()}
	 * @return the number of connections the backend has been given
	 * @throws IllegalArgumentException if it is not a backend of this balancer
	 */
	public long connections(InetSocketAddress backend) {
		return backend(backend).connections.get();
	}

	/**
	 * Return how many client connections have been piped to a node since the start.
	 * @param node a node that is a backend of this balancer
	 * @return the number of connections the node has been given
	 * @throws IllegalArgumentException if the node is not a backend of this balancer
	 * @see #connections(InetSocketAddress)
	 */
	public long connections(PostgresNode node) {
		return connections(address(node));
	}

	/**
	 * Add a one-way delay to what a backend sends: each chunk read from it waits
	 * {@code delay} before it is passed on to the client. For request and response
	 * traffic such as a database's, that adds about {@code delay} to every round trip
	 * (more when a response arrives in several chunks). It applies at once, to open
	 * connections too; {@link Duration#ZERO} removes it.
	 * @param backend one of {@link #backends()}
	 * @param delay the delay, zero or more
	 * @throws IllegalArgumentException if it is not a backend of this balancer or the
	 * delay is negative
	 */
	public void delay(InetSocketAddress backend, Duration delay) {
		Objects.requireNonNull(delay, "delay must not be null");
		if (delay.isNegative()) {
			throw new IllegalArgumentException("delay must be zero or more, but was " + delay);
		}
		backend(backend).delayNanos = delay.toNanos();
	}

	/**
	 * Add a one-way delay to what a node sends through this balancer.
	 * @param node a node that is a backend of this balancer
	 * @param delay the delay, zero or more
	 * @throws IllegalArgumentException if the node is not a backend of this balancer or
	 * the delay is negative
	 * @see #delay(InetSocketAddress, Duration)
	 */
	public void delay(PostgresNode node, Duration delay) {
		delay(address(node), delay);
	}

	/**
	 * Return how many client connections are piped now.
	 * @return the number of open connections
	 */
	public int openConnections() {
		return this.pipes.size();
	}

	/**
	 * Stop accepting connections, close every piped connection on both sides, and wait
	 * (10 s at most) until every thread of this balancer has ended. Calling it again does
	 * nothing.
	 */
	@Override
	public void close() {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		closeQuietly(this.serverSocket);
		long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
		// Connections the acceptor hands over while closing see the flag and close
		// themselves; the sweep below catches any that registered before it.
		this.pipes.forEach(Pipe::close);
		// Blocked socket reads end as their sockets close; a thread asleep in a delay
		// needs the interrupt.
		this.threads.forEach(Thread::interrupt);
		while (!this.threads.isEmpty() && System.nanoTime() - deadline < 0) {
			this.pipes.forEach(Pipe::close);
			for (Thread thread : this.threads) {
				try {
					thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
		if (!this.threads.isEmpty()) {
			logger.warn("Threads of TCP balancer on {} still run {} after close: {}", address(), CLOSE_TIMEOUT,
					this.threads);
		}
		logger.info("Closed TCP balancer on {} (connections given: {})", address(),
				this.backends.stream()
					.map((backend) -> describe(backend.address) + "=" + backend.connections.get())
					.collect(Collectors.joining(", ")));
	}

	@Override
	public String toString() {
		return "TcpBalancer " + address() + " -> " + describeBackends();
	}

	String address() {
		return FreePorts.HOST + ":" + port();
	}

	private String describeBackends() {
		return this.backends.stream()
			.map((backend) -> describe(backend.address))
			.collect(Collectors.joining(", ", "[", "]"));
	}

	private static String describe(InetSocketAddress address) {
		return address.getHostString() + ":" + address.getPort();
	}

	private static InetSocketAddress address(PostgresNode node) {
		return new InetSocketAddress(node.host(), node.port());
	}

	private Backend backend(InetSocketAddress address) {
		Objects.requireNonNull(address, "backend must not be null");
		for (Backend backend : this.backends) {
			if (backend.address.equals(address)) {
				return backend;
			}
		}
		throw new IllegalArgumentException(describe(address) + " is not a backend of " + this);
	}

	private void accept() {
		while (!this.closed.get()) {
			Socket client;
			try {
				client = this.serverSocket.accept();
			}
			catch (IOException ex) {
				if (!this.closed.get()) {
					// Such as too many open files: the next accept may succeed.
					logger.warn("TCP balancer on {} could not accept a connection", address(), ex);
					pauseQuietly(Duration.ofMillis(50));
				}
				continue;
			}
			if (this.pipes.size() >= MAX_CONNECTIONS) {
				logger.warn("TCP balancer on {} already pipes {} connections; closing a new one", address(),
						MAX_CONNECTIONS);
				closeQuietly(client);
				continue;
			}
			Pipe pipe = new Pipe(this.sequence.incrementAndGet(), client);
			this.pipes.add(pipe);
			if (this.closed.get()) {
				pipe.close();
			}
			else {
				startThread(pipe.id + "-client", pipe::run);
			}
		}
	}

	private void startThread(String name, Runnable work) {
		Thread thread = new Thread(() -> {
			try {
				work.run();
			}
			finally {
				this.threads.remove(Thread.currentThread());
			}
		}, this.threadPrefix + name);
		thread.setDaemon(true);
		// Registered before it starts, so that close() waits for it.
		this.threads.add(thread);
		thread.start();
	}

	private static void closeQuietly(Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ex) {
			// closing is all that is left to do with it
		}
	}

	private static void pauseQuietly(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static final class Backend {

		private final InetSocketAddress address;

		private final AtomicLong connections = new AtomicLong();

		private volatile long delayNanos;

		Backend(InetSocketAddress address) {
			this.address = address;
		}

	}

	/**
	 * One client connection and the backend connection it is piped to. Its first thread
	 * connects to a backend and pumps client bytes to it; a second one pumps the
	 * backend's bytes back.
	 */
	private final class Pipe {

		private final long id;

		private final Socket client;

		private volatile Socket backend;

		private final AtomicBoolean closed = new AtomicBoolean();

		Pipe(long id, Socket client) {
			this.id = id;
			this.client = client;
		}

		void run() {
			try {
				Backend chosen = connect();
				if (chosen == null) {
					return;
				}
				Socket backend = this.backend;
				startThread(this.id + "-backend", () -> pump(backend, this.client, chosen));
				pump(this.client, backend, null);
			}
			finally {
				close();
			}
		}

		/**
		 * Connect to the next backend that accepts, starting at the next one in turn.
		 * @return the backend, or {@code null} if none accepts or the pipe is closed
		 */
		private Backend connect() {
			int size = TcpBalancer.this.backends.size();
			int first = Math.floorMod(TcpBalancer.this.next.getAndIncrement(), size);
			for (int i = 0; i < size; i++) {
				Backend candidate = TcpBalancer.this.backends.get((first + i) % size);
				Socket socket = new Socket();
				// Published before the check, so that close() either sees the socket
				// (and aborts the connect) or this thread sees the pipe closed.
				this.backend = socket;
				if (this.closed.get()) {
					closeQuietly(socket);
					return null;
				}
				try {
					socket.connect(candidate.address, (int) CONNECT_TIMEOUT.toMillis());
					socket.setTcpNoDelay(true);
					this.client.setTcpNoDelay(true);
					candidate.connections.incrementAndGet();
					logger.debug("TCP balancer on {} piped connection {} to {}", address(), this.id,
							describe(candidate.address));
					return candidate;
				}
				catch (IOException ex) {
					closeQuietly(socket);
					if (this.closed.get()) {
						return null;
					}
					logger.debug("TCP balancer on {}: backend {} refused connection {} ({})", address(),
							describe(candidate.address), this.id, ex.toString());
				}
			}
			logger.warn("TCP balancer on {}: every backend refused connection {}; closing it", address(), this.id);
			return null;
		}

		/**
		 * Copy bytes from one socket to the other until either ends, then close both.
		 * @param delayed the backend whose delay applies, or {@code null}
		 */
		private void pump(Socket from, Socket to, Backend delayed) {
			byte[] buffer = new byte[BUFFER_SIZE];
			try {
				InputStream in = from.getInputStream();
				OutputStream out = to.getOutputStream();
				int read;
				while ((read = in.read(buffer)) != -1) {
					long delayNanos = (delayed != null) ? delayed.delayNanos : 0;
					if (delayNanos > 0) {
						TimeUnit.NANOSECONDS.sleep(delayNanos);
					}
					out.write(buffer, 0, read);
				}
			}
			catch (IOException ex) {
				// The other side or close() closed a socket: the pipe is done.
			}
			catch (InterruptedException ex) {
				// close() interrupts a delay.
				Thread.currentThread().interrupt();
			}
			finally {
				close();
			}
		}

		void close() {
			if (this.closed.compareAndSet(false, true)) {
				closeQuietly(this.client);
				Socket backend = this.backend;
				if (backend != null) {
					closeQuietly(backend);
				}
				TcpBalancer.this.pipes.remove(this);
			}
		}

	}

}
