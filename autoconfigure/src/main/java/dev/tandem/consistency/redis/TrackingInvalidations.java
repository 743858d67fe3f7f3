package dev.tandem.consistency.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The invalidation channel of a {@link NearCache} on connections of its own: one plain
 * socket per Redis master (one for a standalone or Sentinel set-up, one per master of a
 * Cluster), each in RESP3 with broadcast tracking on the marker prefix
 * ({@code CLIENT TRACKING ON BCAST PREFIX tandem:rw:}), so Redis pushes on it the name of
 * every marker key that any client writes, or that expires.
 * <p>
 * A read answered from the cache first reads these sockets itself ({@link #catchUp}): a
 * non-blocking read that finds nothing costs about a microsecond, and applies at once an
 * invalidation that already arrived, with no thread to wait for. A thread of the channel
 * reads them too whenever bytes arrive, checks every second that each connection answers
 * ({@code ROLE}: it must still be a master; on a Cluster, {@code CLUSTER NODES}: the
 * masters must be the same), and makes the connections again when one is lost.
 * <p>
 * The cache is open only while every connection tracks: a connection that drops, a master
 * that is no longer one, a changed set of masters, empties and closes it until all are
 * made again and Redis confirmed tracking on each; one that does not answer within a
 * second closes it until it answers.
 */
final class TrackingInvalidations implements Invalidations {

	private static final Logger logger = LoggerFactory.getLogger(TrackingInvalidations.class);

	static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

	/** Silent checks after which a connection is given up and made again. */
	private static final int SILENT_CHECKS_BEFORE_RECONNECT = 3;

	private static final int TIMEOUT_MILLIS = 2000;

	/** How many times a read checks whether another one has ended before it yields. */
	private static final int SPINS_BEFORE_YIELDING = 32;

	/** How many times a read checks whether another one has ended before it parks. */
	private static final int SPINS_BEFORE_PARKING = 256;

	private static final byte[] ROLE = Resp.command("ROLE");

	private static final byte[] CLUSTER_NODES = Resp.command("CLUSTER", "NODES");

	/**
	 * Where the masters are, and who to be on them.
	 */
	interface Endpoints {

		/**
		 * Finds the masters to track, now.
		 * @return the masters, never empty
		 * @throws IOException when they cannot be found
		 */
		List<InetSocketAddress> masters() throws IOException;

		/**
		 * The user name for the masters.
		 * @return the name, or {@code null} for the default user
		 */
		@Nullable String username();

		/**
		 * The password for the masters.
		 * @return the password, or {@code null} for none
		 */
		@Nullable String password();

		/**
		 * Whether the masters are those of a Cluster, whose set is checked every second.
		 * @return whether it is a Cluster
		 */
		boolean cluster();

		/**
		 * Checks, once tracking is on, that the application's own connections reach the
		 * same server.
		 * @param runId the tracked server's {@code run_id}
		 * @return whether they do
		 */
		boolean sameServer(String runId);

	}

	private final NearCache cache;

	private final Endpoints endpoints;

	/** Held while reading the sockets, by this channel's thread or a read. */
	private final ReentrantLock lock = new ReentrantLock();

	/**
	 * Reads of every socket begun, counted under the lock before the first socket is
	 * read: a read that waited for the lock needs none of its own when the count moved
	 * meanwhile, since that read began after it and has applied what it would find. Under
	 * load, the reads that queue behind one share it.
	 */
	private volatile long readsStarted;

	/**
	 * The number of the last read of every socket that ended ({@link #readsStarted} at
	 * its start), written after what it read is applied.
	 */
	private volatile long readsEnded;

	/** Whether the last read of every socket ended with no frame half read. */
	private volatile boolean lastReadWhole;

	private final Selector selector;

	private final Thread thread;

	private volatile List<Connection> connections = List.of();

	/** Every connection tracks and answers: the cache may be open. */
	private volatile boolean tracking;

	private volatile boolean closed;

	private boolean warned;

	private TrackingInvalidations(NearCache cache, Endpoints endpoints) throws IOException {
		this.cache = cache;
		this.endpoints = endpoints;
		this.selector = Selector.open();
		this.thread = new Thread(this::run, "tandem-near-cache");
		this.thread.setDaemon(true);
	}

	/**
	 * Starts the channel; it connects in the background, so that the application starts
	 * whether Redis is up or not.
	 * @param cache the cache to keep in step
	 * @param endpoints the masters
	 * @return the channel
	 */
	static TrackingInvalidations start(NearCache cache, Endpoints endpoints) {
		try {
			TrackingInvalidations invalidations = new TrackingInvalidations(cache, endpoints);
			invalidations.thread.start();
			return invalidations;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not open a selector for the near cache", ex);
		}
	}

	/**
	 * Applies every invalidation that reached this instance's sockets before the call.
	 * Redis sends an invalidation no later than the reply to the write that caused it, so
	 * a read that follows a write it heard about (through a client, another instance)
	 * finds the invalidation in this instance's socket, and after this, applied.
	 * @param timeout unused: the call never waits for another thread, only for the lock
	 * of a read of the sockets under way
	 * @return whether the cache may answer: every connection tracks, none dropped, and no
	 * frame is half read
	 */
	@Override
	public boolean catchUp(Duration timeout) {
		if (!this.tracking) {
			return false;
		}
		long before = this.readsStarted;
		for (int attempt = 0; !this.lock.tryLock(); attempt++) {
			// A read of the sockets is under way, a short one unless its thread was
			// descheduled. One that began after this call serves it once it ends; else
			// this call reads once that one is done. Spinning, then yielding, before
			// queueing for the lock: parking costs more than the read.
			if (this.readsEnded > before) {
				return this.lastReadWhole && this.tracking;
			}
			if (attempt < SPINS_BEFORE_YIELDING) {
				Thread.onSpinWait();
			}
			else if (attempt < SPINS_BEFORE_PARKING) {
				Thread.yield();
			}
			else {
				this.lock.lock();
				break;
			}
		}
		try {
			if (this.readsStarted != before) {
				// A read of every socket began after this call did and has ended (the
				// lock is free): what reached the sockets before this call is applied.
				return this.lastReadWhole && this.tracking;
			}
			return readAll() && this.tracking;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Reads every socket; under the lock. */
	private boolean readAll() {
		long read = ++this.readsStarted;
		boolean whole = false;
		try {
			whole = true;
			for (Connection connection : this.connections) {
				if (!connection.read()) {
					lost(connection, "its connection was lost", NearCache.Flush.CONNECTION_LOST);
					whole = false;
					return false;
				}
				whole &= !connection.reader.hasPartialFrame();
			}
			return whole;
		}
		finally {
			this.lastReadWhole = whole;
			this.readsEnded = read;
		}
	}

	private void run() {
		long nextCheck = 0;
		while (!this.closed) {
			try {
				if (this.connections.isEmpty()) {
					connect();
					nextCheck = System.nanoTime() + CHECK_INTERVAL.toNanos();
					if (this.connections.isEmpty()) {
						pause(CHECK_INTERVAL.toMillis());
					}
					continue;
				}
				long wait = TimeUnit.NANOSECONDS.toMillis(nextCheck - System.nanoTime());
				if (wait > 0 && this.selector.select(wait) > 0) {
					this.selector.selectedKeys().clear();
				}
				this.lock.lock();
				try {
					readAll();
					if (System.nanoTime() - nextCheck >= 0) {
						nextCheck = System.nanoTime() + CHECK_INTERVAL.toNanos();
						check();
					}
				}
				finally {
					this.lock.unlock();
				}
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("The near cache's invalidation channel failed; lookups go to Redis", ex);
				this.lock.lock();
				try {
					disconnect(NearCache.Flush.CONNECTION_LOST);
				}
				finally {
					this.lock.unlock();
				}
				pause(CHECK_INTERVAL.toMillis());
			}
		}
		this.lock.lock();
		try {
			disconnect(NearCache.Flush.CONNECTION_LOST);
		}
		finally {
			this.lock.unlock();
		}
	}

	private void pause(long millis) {
		try {
			this.selector.select(Math.max(1, millis));
			this.selector.selectedKeys().clear();
		}
		catch (IOException ex) {
			Thread.onSpinWait();
		}
	}

	/** Makes every connection, or none; off the lock while it waits on Redis. */
	private void connect() {
		List<Connection> made = new ArrayList<>();
		try {
			List<InetSocketAddress> masters = this.endpoints.masters();
			for (InetSocketAddress master : masters) {
				made.add(Connection.open(this.cache, master, this.endpoints));
			}
			if (!this.endpoints.cluster() && !this.endpoints.sameServer(made.get(0).runId)) {
				throw new IOException("the application's Redis connections reach another server than " + masters
						+ "; is it a static master/replica set-up?");
			}
			if (this.endpoints.cluster()) {
				made.get(0).clusterMasters = masters;
			}
			for (Connection connection : made) {
				connection.channel.configureBlocking(false);
				connection.channel.register(this.selector, SelectionKey.OP_READ, connection);
			}
		}
		catch (IOException | RuntimeException ex) {
			made.forEach(Connection::close);
			String message = "The near cache of markers waits for its invalidation connection; lookups go to Redis: "
					+ ex.getMessage();
			if (!this.warned && !(ex instanceof java.net.ConnectException)) {
				this.warned = true;
				logger.warn(message);
			}
			else {
				logger.debug(message);
			}
			return;
		}
		this.lock.lock();
		try {
			this.connections = List.copyOf(made);
			if (this.closed) {
				disconnect(NearCache.Flush.CONNECTION_LOST);
				return;
			}
			this.warned = false;
			this.tracking = true;
			this.cache.open();
			logger.debug("Redis tracks markers for the near cache on {}", made);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The check every second; under the lock. */
	private void check() throws IOException {
		boolean silent = false;
		for (Connection connection : this.connections) {
			if (connection.pending.size() > 0) {
				silent = true;
				if (++connection.silentChecks >= SILENT_CHECKS_BEFORE_RECONNECT) {
					lost(connection, "its connection did not answer for " + connection.silentChecks + " s",
							NearCache.Flush.CHANNEL_SILENT);
					return;
				}
				continue;
			}
			connection.send(ROLE, (reply) -> roleAnswered(connection, reply));
			if (connection.clusterMasters != null) {
				connection.send(CLUSTER_NODES, (reply) -> nodesAnswered(connection, reply));
			}
		}
		if (silent && this.cache.isOpen()) {
			logger.debug("The near cache's invalidation channel is silent; lookups go to Redis");
			this.tracking = false;
			this.cache.close(NearCache.Flush.CHANNEL_SILENT);
		}
	}

	private void roleAnswered(Connection connection, @Nullable Object reply) {
		if (!(reply instanceof List<?> role) || role.isEmpty() || !"master".equals(role.get(0))) {
			lost(connection, "the server is no longer a master", NearCache.Flush.TOPOLOGY_CHANGED);
			return;
		}
		connection.silentChecks = 0;
		if (!this.tracking && this.connections.stream().allMatch((each) -> each.pending.isEmpty())) {
			// Answers come in order on a connection: every invalidation sent before came.
			this.tracking = true;
			this.cache.open();
		}
	}

	private void nodesAnswered(Connection connection, @Nullable Object reply) {
		List<InetSocketAddress> masters = (reply instanceof String nodes) ? RedisEndpoints.clusterMasters(nodes)
				: List.of();
		if (!masters.equals(connection.clusterMasters)) {
			lost(connection, "the Cluster's masters changed to " + masters, NearCache.Flush.TOPOLOGY_CHANGED);
		}
	}

	/** Under the lock. */
	private void lost(Connection connection, String why, NearCache.Flush cause) {
		if (this.connections.contains(connection)) {
			logger.debug("The near cache's invalidations from {} stopped: {}; lookups go to Redis until tracking "
					+ "is back", connection, why);
			disconnect(cause);
		}
	}

	/** Under the lock. */
	private void disconnect(NearCache.Flush cause) {
		this.tracking = false;
		this.cache.close(cause);
		this.connections.forEach(Connection::close);
		this.connections = List.of();
	}

	@Override
	public long clientId() {
		List<Connection> connections = this.connections;
		return connections.isEmpty() ? -1 : connections.get(0).clientId;
	}

	@Override
	public void close() {
		this.closed = true;
		this.selector.wakeup();
		try {
			this.thread.join(TIMEOUT_MILLIS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		try {
			this.selector.close();
		}
		catch (IOException ex) {
			logger.debug("Could not close the near cache's selector", ex);
		}
	}

	/** One tracking connection to one master. */
	private static final class Connection {

		private final NearCache cache;

		private final InetSocketAddress address;

		private final SocketChannel channel;

		private final Resp.Reader reader = new Resp.Reader();

		private final ByteBuffer buffer = ByteBuffer.allocateDirect(16384);

		private final byte[] bytes = new byte[16384];

		private final Queue<Consumer<@Nullable Object>> pending = new ArrayDeque<>();

		private long clientId = -1;

		private String runId = "";

		private int silentChecks;

		/** The Cluster's masters when this connection watches them. */
		private @Nullable List<InetSocketAddress> clusterMasters;

		private Connection(NearCache cache, InetSocketAddress address, SocketChannel channel) {
			this.cache = cache;
			this.address = address;
			this.channel = channel;
		}

		/**
		 * Connects, and enables tracking: {@code HELLO 3}, authenticated and named
		 * ({@code CLIENT SETNAME tandem-near-cache}, for operators), then the client's
		 * id, its role (a master), the server's {@code run_id}, and tracking.
		 */
		static Connection open(NearCache cache, InetSocketAddress address, Endpoints endpoints) throws IOException {
			SocketChannel channel = SocketChannel.open();
			try {
				channel.socket()
					.connect(new InetSocketAddress(address.getHostString(), address.getPort()), TIMEOUT_MILLIS);
				channel.socket().setSoTimeout(TIMEOUT_MILLIS);
				channel.socket().setTcpNoDelay(true);
				Connection connection = new Connection(cache, address, channel);
				List<String> hello = new ArrayList<>(List.of("HELLO", "3"));
				if (endpoints.password() != null) {
					hello.addAll(List.of("AUTH", Objects.requireNonNullElse(endpoints.username(), "default"),
							endpoints.password()));
				}
				hello.addAll(List.of("SETNAME", MarkerInvalidations.CLIENT_NAME));
				OutputStream out = channel.socket().getOutputStream();
				InputStream in = channel.socket().getInputStream();
				Blocking blocking = new Blocking(in, connection.reader);
				out.write(Resp.command(hello.toArray(String[]::new)));
				out.write(Resp.command("CLIENT", "ID"));
				out.write(ROLE);
				out.write(Resp.command("INFO", "server"));
				out.write(Resp.command("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", RedisMarkerStore.KEY_PREFIX));
				out.flush();
				blocking.expect("HELLO 3", (reply) -> reply instanceof List);
				connection.clientId = (Long) blocking.expect("CLIENT ID", (reply) -> reply instanceof Long);
				blocking.expect("ROLE master",
						(reply) -> reply instanceof List<?> role && !role.isEmpty() && "master".equals(role.get(0)));
				String info = (String) blocking.expect("INFO server", (reply) -> reply instanceof String);
				connection.runId = info.lines()
					.filter((line) -> line.startsWith("run_id:"))
					.map((line) -> line.substring(7).trim())
					.findFirst()
					.orElse("");
				blocking.expect("CLIENT TRACKING", "OK"::equals);
				return connection;
			}
			catch (IOException | RuntimeException ex) {
				channel.close();
				if (ex instanceof java.net.ConnectException) {
					throw new java.net.ConnectException(connectionName(address) + ": " + ex.getMessage());
				}
				throw new IOException(connectionName(address) + ": " + ex.getMessage(), ex);
			}
		}

		void send(byte[] command, Consumer<@Nullable Object> onReply) throws IOException {
			ByteBuffer out = ByteBuffer.wrap(command);
			while (out.hasRemaining()) {
				// A few bytes into a socket whose send buffer is empty: written at once.
				if (this.channel.write(out) == 0) {
					Thread.onSpinWait();
				}
			}
			this.pending.add(onReply);
		}

		/**
		 * Reads what arrived and handles every whole frame; under the lock.
		 * @return {@code false} when the connection was closed or failed
		 */
		boolean read() {
			try {
				int read;
				while ((read = this.channel.read(this.buffer)) > 0) {
					this.buffer.flip();
					this.buffer.get(this.bytes, 0, read);
					this.buffer.clear();
					this.reader.add(this.bytes, 0, read);
					handleFrames();
				}
				return read == 0;
			}
			catch (IOException | RuntimeException ex) {
				return false;
			}
		}

		private void handleFrames() {
			Object frame;
			while ((frame = this.reader.next()) != Resp.Reader.INCOMPLETE) {
				if (frame instanceof Resp.Push push) {
					invalidated(push);
				}
				else {
					Consumer<@Nullable Object> handler = this.pending.poll();
					if (handler != null) {
						handler.accept(frame);
					}
				}
			}
		}

		private void invalidated(Resp.Push push) {
			if (!"invalidate".equals(push.kind())) {
				return;
			}
			Object keys = (push.content().size() > 1) ? push.content().get(1) : null;
			if (keys instanceof List<?> list) {
				for (Object key : list) {
					if (key instanceof String name) {
						this.cache.invalidate(name);
					}
				}
			}
			else {
				// No key: every key may have changed (FLUSHALL, FLUSHDB).
				this.cache.flush(NearCache.Flush.REDIS_FLUSHED);
			}
		}

		void close() {
			try {
				this.channel.close();
			}
			catch (IOException ex) {
				logger.debug("Could not close a near-cache connection", ex);
			}
		}

		@Override
		public String toString() {
			return connectionName(this.address);
		}

	}

	private static String connectionName(InetSocketAddress address) {
		return address.getHostString() + ":" + address.getPort();
	}

	/** Replies read with the socket's timeout, while a connection is made. */
	record Blocking(InputStream in, Resp.Reader reader) {

		@Nullable Object next() throws IOException {
			byte[] bytes = new byte[4096];
			Object frame;
			while ((frame = this.reader.next()) == Resp.Reader.INCOMPLETE) {
				int read = this.in.read(bytes);
				if (read < 0) {
					throw new IOException("the server closed the connection");
				}
				this.reader.add(bytes, 0, read);
			}
			return frame;
		}

		@Nullable Object expect(String what, java.util.function.Predicate<@Nullable Object> valid) throws IOException {
			Object reply = next();
			if (reply instanceof Resp.Error error) {
				throw new IOException(what + " failed: " + error.message());
			}
			if (!valid.test(reply)) {
				throw new IOException(what + " answered " + reply);
			}
			return reply;
		}

	}

}
