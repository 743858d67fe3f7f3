package dev.tandem.consistency.redis;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The invalidation channel of a {@link NearCache}: one Redis connection of its own
 * (RESP3, opened by the application's Lettuce client, so to the same server, through
 * Sentinel alike) with broadcast tracking on the marker prefix
 * ({@code CLIENT TRACKING ON BCAST
 * PREFIX tandem:rw:}): Redis pushes the name of every marker key that any client writes,
 * or that expires, on this connection.
 * <p>
 * The cache is open only while that holds. When the connection drops (killed, Redis
 * restarted, a Sentinel failover), the cache is closed and emptied; Lettuce reconnects,
 * tracking is enabled again on the new connection, and only once Redis confirmed it the
 * cache opens, empty. A {@code PING} every second checks that the channel is alive: one
 * that does not answer within a second closes the cache, and its answer reopens it (the
 * connection delivers in order, so every invalidation sent before the answer has come).
 */
final class MarkerInvalidations implements Invalidations, PushListener, RedisConnectionStateListener {

	private static final Logger logger = LoggerFactory.getLogger(MarkerInvalidations.class);

	static final Duration PING_INTERVAL = Duration.ofSeconds(1);

	/** How many commands may complete off the event loop before the cache gives up. */
	private static final int LOOP_ATTEMPTS = 10;

	/** The name of the invalidation connection ({@code CLIENT SETNAME}). */
	static final String CLIENT_NAME = "tandem-near-cache";

	private final NearCache cache;

	private final RedisClient client;

	private volatile @Nullable StatefulRedisConnection<String, String> connection;

	private final ScheduledExecutorService pings;

	private final AtomicBoolean pingInFlight = new AtomicBoolean();

	private volatile boolean tracking;

	private volatile long clientId = -1;

	/**
	 * The event loop that reads the connection, seen when Redis confirmed tracking on it;
	 * {@code null} until then.
	 */
	private volatile @Nullable EventExecutor loop;

	private final AtomicReference<Barrier> barrier = new AtomicReference<>();

	private volatile boolean closed;

	private MarkerInvalidations(NearCache cache, RedisClient client) {
		this.cache = cache;
		this.client = client;
		this.pings = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "tandem-near-cache");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Opens the channel for a cache with the application's Lettuce client.
	 * @param connectionFactory the application's connection factory
	 * @param cache the cache to keep in step
	 * @return the channel, or {@code null} when the factory cannot carry one (not
	 * Lettuce, a Cluster, or RESP2 configured)
	 */
	static @Nullable MarkerInvalidations open(RedisConnectionFactory connectionFactory, NearCache cache) {
		if (!(connectionFactory instanceof LettuceConnectionFactory lettuce)
				|| !(lettuce.getNativeClient() instanceof RedisClient client)) {
			return null;
		}
		ProtocolVersion protocol = client.getOptions().getConfiguredProtocolVersion();
		if (protocol == ProtocolVersion.RESP2) {
			logger.info("The near cache of markers is off: the Redis client is configured for RESP2, "
					+ "and invalidations need RESP3");
			return null;
		}
		MarkerInvalidations invalidations = new MarkerInvalidations(cache, client);
		// Connected in the background: the application starts whether Redis is up or not.
		invalidations.pings.scheduleWithFixedDelay(invalidations::connectOrPing, 0, PING_INTERVAL.toMillis(),
				TimeUnit.MILLISECONDS);
		return invalidations;
	}

	private void connectOrPing() {
		StatefulRedisConnection<String, String> current = this.connection;
		if (current != null) {
			ping(current);
			return;
		}
		try {
			StatefulRedisConnection<String, String> connection = this.client.connect(StringCodec.UTF8);
			connection.addListener((PushListener) this);
			connection.addListener((RedisConnectionStateListener) this);
			this.connection = connection;
			if (this.closed) {
				connection.close();
				return;
			}
			enableTracking(connection);
		}
		catch (RuntimeException ex) {
			logger.debug("The near cache's invalidation connection could not be made; lookups go to Redis: {}",
					ex.getMessage());
		}
	}

	private void enableTracking(StatefulRedisConnection<String, String> connection) {
		// Named, for operators: CLIENT LIST shows it.
		connection.async().clientSetname(CLIENT_NAME);
		connection.async().clientId().thenAccept((id) -> this.clientId = id);
		connection.async()
			.clientTracking(TrackingArgs.Builder.enabled().bcast().prefixes(RedisMarkerStore.KEY_PREFIX))
			.whenComplete((reply, ex) -> {
				if (ex != null || !"OK".equals(reply)) {
					this.tracking = false;
					logger.warn("Could not enable Redis tracking of markers; the near cache stays off until the "
							+ "connection is made again: {}", (ex != null) ? ex.getMessage() : reply);
					return;
				}
				openOnEventLoop(connection, LOOP_ATTEMPTS);
			});
	}

	/**
	 * Opens the cache from the connection's event loop (the one that reads
	 * invalidations), noting that loop for {@link #catchUp}. A command's completion runs
	 * there, unless it completed before its callback was attached; then a {@code PING}
	 * tries again.
	 */
	private void openOnEventLoop(StatefulRedisConnection<String, String> connection, int attempts) {
		EventExecutor loop = ThreadExecutorMap.currentExecutor();
		if (loop == null) {
			if (attempts > 0) {
				connection.async().ping().whenComplete((pong, ex) -> openOnEventLoop(connection, attempts - 1));
			}
			else {
				logger.warn("The near cache of markers stays off: the Redis client does not complete commands on "
						+ "its event loop");
			}
			return;
		}
		this.loop = loop;
		this.tracking = true;
		if (!this.closed) {
			this.cache.open();
			logger.debug("Redis tracks markers for the near cache");
		}
	}

	private void ping(StatefulRedisConnection<String, String> connection) {
		if (!this.tracking || this.closed) {
			return;
		}
		if (!this.pingInFlight.compareAndSet(false, true)) {
			// The last one has not answered within an interval.
			if (this.cache.isOpen()) {
				logger.debug("The near cache's invalidation channel is silent; lookups go to Redis");
				this.cache.close(NearCache.Flush.CHANNEL_SILENT);
			}
			return;
		}
		connection.async().ping().whenComplete((pong, ex) -> {
			this.pingInFlight.set(false);
			if (ex == null && this.tracking && !this.closed && !this.cache.isOpen()) {
				// In order on the connection: every invalidation sent before came first.
				this.cache.open();
			}
		});
	}

	/**
	 * Waits until every invalidation that reached this instance before the call has been
	 * applied: until the connection's event loop has read its socket once more. Redis
	 * sends an invalidation no later than the reply to the write that caused it, so a
	 * read that follows a write it heard about (through a client, another instance) finds
	 * the invalidation already in this instance's socket, and after this, applied.
	 * Concurrent callers share one wait.
	 * @param timeout the longest wait
	 * @return whether the channel caught up; {@code false} when it did not in time, or is
	 * not open
	 */
	@Override
	public boolean catchUp(Duration timeout) {
		EventExecutor loop = this.loop;
		if (loop == null || !this.tracking) {
			return false;
		}
		Barrier barrier = this.barrier.get();
		if (barrier == null || barrier.started || barrier.loop != loop) {
			Barrier fresh = new Barrier(loop);
			barrier = this.barrier.compareAndSet(barrier, fresh) ? fresh.submit() : this.barrier.get();
		}
		try {
			barrier.done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		catch (ExecutionException | TimeoutException ex) {
			return false;
		}
	}

	/**
	 * One wait for the event loop: a task that, run on the loop, schedules a second one;
	 * the loop runs scheduled tasks only after its next read of ready sockets, so the
	 * second one completes after every byte that arrived before the first one ran.
	 */
	private static final class Barrier {

		private final EventExecutor loop;

		private final CompletableFuture<Void> done = new CompletableFuture<>();

		private volatile boolean started;

		Barrier(EventExecutor loop) {
			this.loop = loop;
		}

		Barrier submit() {
			try {
				this.loop.execute(() -> {
					this.started = true;
					this.loop.schedule(() -> this.done.complete(null), 0, TimeUnit.NANOSECONDS);
				});
			}
			catch (RejectedExecutionException ex) {
				this.started = true;
				this.done.completeExceptionally(ex);
			}
			return this;
		}

	}

	@Override
	public void onPushMessage(PushMessage message) {
		if (!"invalidate".equals(message.getType())) {
			return;
		}
		List<Object> content = message.getContent(StringCodec.UTF8::decodeKey);
		Object keys = (content.size() > 1) ? content.get(1) : null;
		if (keys instanceof List<?> list) {
			for (Object key : list) {
				if (key instanceof String name) {
					this.cache.invalidate(name);
				}
				else if (key instanceof ByteBuffer buffer) {
					this.cache.invalidate(StringCodec.UTF8.decodeKey(buffer));
				}
			}
		}
		else {
			// No key: every key may have changed (FLUSHALL, FLUSHDB).
			this.cache.flush(NearCache.Flush.REDIS_FLUSHED);
		}
	}

	@Override
	public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
		this.tracking = false;
		this.cache.close(NearCache.Flush.CONNECTION_LOST);
		if (!this.closed) {
			logger.debug("The near cache's invalidation connection was lost; lookups go to Redis until it is back");
		}
	}

	@Override
	public void onRedisConnected(RedisChannelHandler<?, ?> handler, java.net.SocketAddress address) {
		// Lettuce made the connection again: tracking is per connection.
		StatefulRedisConnection<String, String> connection = this.connection;
		if (!this.closed && connection != null) {
			enableTracking(connection);
		}
	}

	@Override
	public long clientId() {
		return this.clientId;
	}

	@Override
	public void close() {
		this.closed = true;
		this.cache.close(NearCache.Flush.CONNECTION_LOST);
		this.pings.shutdownNow();
		StatefulRedisConnection<String, String> connection = this.connection;
		if (connection != null) {
			connection.close();
		}
	}

}
