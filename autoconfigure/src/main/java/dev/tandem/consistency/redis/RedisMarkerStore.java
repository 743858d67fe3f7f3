package dev.tandem.consistency.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import dev.tandem.consistency.FallbackMarkerStore;
import dev.tandem.consistency.KeyDigest;
import dev.tandem.consistency.MarkerStore;
import dev.tandem.consistency.MarkerStoreException;
import dev.tandem.consistency.MarkersIncompleteException;
import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Markers in Redis, through the application's {@link RedisConnectionFactory} (standalone,
 * Sentinel or Cluster alike). Keys are {@code tandem:rw:} and the SHA-256 of the
 * consistency key, never the key itself. An LSN is stored as 16 hex digits, so that Redis
 * compares positions as strings; a Lua script keeps the higher one atomically and renews
 * the TTL. A marker of unknown outcome lives one TTL from its own recording, however
 * often its key writes after it. A value that is not a marker makes {@link #find} throw
 * {@link MarkerStoreException}, as an unreachable Redis does.
 * <p>
 * A Redis without persistence loses every marker when it restarts. So a lookup also reads
 * the server's uptime (in the same script, on the node that holds the key): while it is
 * shorter than the grace period (the markers' TTL), the server may lack markers written
 * before it started, and {@link #find} throws {@link MarkersIncompleteException} so the
 * read goes to the primary. When the server does not tell its uptime (its ACL denies
 * {@code INFO}), markers are trusted without that check, and a warning says so once.
 */
public final class RedisMarkerStore implements MarkerStore, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RedisMarkerStore.class);

	/** The longest wait for the invalidation channel before a cached answer is used. */
	private static final Duration CATCH_UP_TIMEOUT = Duration.ofMillis(50);

	private static final Pattern HEX_LSN = Pattern.compile("[0-9A-Fa-f]{16}");

	/** The marker of a write of unknown outcome: the highest LSN there is. */
	private static final Lsn UNKNOWN_OUTCOME = new Lsn(-1L);

	/** Prefix of every key Tandem writes. */
	public static final String KEY_PREFIX = "tandem:rw:";

	/**
	 * Keeps the higher known position, renewing its life, and lets a marker of unknown
	 * outcome (all F) live one TTL from its own recording: when a known position outlives
	 * it, the value is {@code <known>:<n>}, and the unknown outcome holds while the key
	 * has more than {@code n} ms to live.
	 */
	private static final RedisScript<Long> RECORD = new DefaultRedisScript<>("""
			local unknown = 'FFFFFFFFFFFFFFFF'
			local ttl = tonumber(ARGV[2])
			local current = redis.call('GET', KEYS[1])
			local left = redis.call('PTTL', KEYS[1])
			if left < 0 then left = 0 end
			local known, knownLeft, unknownLeft = nil, 0, 0
			if current then
			  local lsn, offset = string.match(current, '^(%x+):(%d+)$')
			  if lsn then
			    known, knownLeft, unknownLeft = lsn, left, left - tonumber(offset)
			  elseif current == unknown then
			    unknownLeft = left
			  elseif string.match(current, '^%x+$') then
			    known, knownLeft = current, left
			  end
			end
			if ARGV[1] == unknown then
			  unknownLeft = math.max(unknownLeft, ttl)
			else
			  if (not known) or known < ARGV[1] then known = ARGV[1] end
			  knownLeft = math.max(knownLeft, ttl)
			end
			if (not known) or knownLeft <= unknownLeft then
			  redis.call('SET', KEYS[1], unknown, 'PX', unknownLeft)
			elseif unknownLeft > 0 then
			  redis.call('SET', KEYS[1], known .. ':' .. (knownLeft - unknownLeft), 'PX', knownLeft)
			else
			  redis.call('SET', KEYS[1], known, 'PX', knownLeft)
			end
			return 1
			""", Long.class);

	/**
	 * The marker in force and the server's uptime in seconds, -1 when it cannot be read
	 * (the ACL denies {@code INFO}, or the server does not tell).
	 */
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> FIND = new DefaultRedisScript<>("""
			local value = redis.call('GET', KEYS[1])
			if value then
			  local lsn, offset = string.match(value, '^(%x+):(%d+)$')
			  if lsn then
			    if redis.call('PTTL', KEYS[1]) > tonumber(offset) then value = 'FFFFFFFFFFFFFFFF' else value = lsn end
			  end
			end
			local info = redis.pcall('INFO', 'server')
			local uptime = -1
			if type(info) == 'string' then
			  uptime = tonumber(string.match(info, 'uptime_in_seconds:(%d+)')) or -1
			end
			return {value or '', uptime}
			""", List.class);

	private final StringRedisTemplate redis;

	private final long graceMillis;

	private final AtomicBoolean uptimeUnknownLogged = new AtomicBoolean();

	private final @Nullable NearCache nearCache;

	private final @Nullable Invalidations invalidations;

	/**
	 * Creates the store, without a near cache.
	 * @param connectionFactory the application's Redis connections
	 * @param grace how long after a Redis server starts its markers are not trusted (the
	 * markers' TTL); zero to trust them at once
	 */
	public RedisMarkerStore(RedisConnectionFactory connectionFactory, Duration grace) {
		this(connectionFactory, grace, 0);
	}

	/**
	 * Creates the store.
	 * @param connectionFactory the application's Redis connections
	 * @param grace how long after a Redis server starts its markers are not trusted (the
	 * markers' TTL); zero to trust them at once
	 * @param nearCacheEntries the most answers kept in the near cache; 0 for none. The
	 * near cache needs Lettuce or Jedis on a standalone, Sentinel or Cluster set-up; with
	 * another one, lookups always go to Redis
	 */
	public RedisMarkerStore(RedisConnectionFactory connectionFactory, Duration grace, int nearCacheEntries) {
		this(connectionFactory, grace, nearCacheEntries, false);
	}

	private RedisMarkerStore(RedisConnectionFactory connectionFactory, Duration grace, int nearCacheEntries,
			boolean throughLettuce) {
		this.redis = new StringRedisTemplate(connectionFactory);
		this.graceMillis = grace.toMillis();
		NearCache cache = (nearCacheEntries > 0) ? new NearCache(nearCacheEntries) : null;
		this.invalidations = (cache == null) ? null : throughLettuce
				? MarkerInvalidations.open(connectionFactory, cache) : invalidations(connectionFactory, cache);
		this.nearCache = (this.invalidations != null) ? cache : null;
	}

	/**
	 * A store whose near cache goes through the application's Lettuce client, as with TLS
	 * or a Unix socket, whatever the set-up.
	 */
	static RedisMarkerStore throughLettuce(RedisConnectionFactory connectionFactory, Duration grace,
			int nearCacheEntries) {
		return new RedisMarkerStore(connectionFactory, grace, nearCacheEntries, true);
	}

	private static @Nullable Invalidations invalidations(RedisConnectionFactory connectionFactory, NearCache cache) {
		TrackingInvalidations.Endpoints endpoints = RedisEndpoints.of(connectionFactory);
		if (endpoints != null) {
			return TrackingInvalidations.start(cache, endpoints);
		}
		if (RedisEndpoints.throughLettuce(connectionFactory)) {
			// TLS or a Unix socket: through the application's Lettuce client.
			Invalidations invalidations = MarkerInvalidations.open(connectionFactory, cache);
			if (invalidations != null) {
				return invalidations;
			}
		}
		logger.info("The near cache of markers is off: it needs Lettuce or Jedis on a standalone, Sentinel or Cluster "
				+ "set-up, and the connection factory is a {}", connectionFactory.getClass().getSimpleName());
		return null;
	}

	/**
	 * The near cache, if on.
	 * @return the cache, or {@code null}
	 */
	public @Nullable NearCache nearCache() {
		return this.nearCache;
	}

	/**
	 * The Redis client id of the near cache's invalidation connection.
	 * @return the id, or -1 when there is none yet
	 */
	long invalidationClientId() {
		return (this.invalidations != null) ? this.invalidations.clientId() : -1;
	}

	/**
	 * The near cache of a marker store, if it reads markers from Redis with one.
	 * @param store the store
	 * @return the cache, or {@code null}
	 */
	public static @Nullable NearCache nearCacheOf(MarkerStore store) {
		MarkerStore shared = (store instanceof FallbackMarkerStore fallback) ? fallback.shared() : store;
		return (shared instanceof RedisMarkerStore redis) ? redis.nearCache() : null;
	}

	@Override
	public void record(KeyDigest key, Lsn lsn, Duration ttl) {
		String redisKey = redisKey(key);
		try {
			this.redis.execute(RECORD, List.of(redisKey), encode(lsn), Long.toString(Math.max(1, ttl.toMillis())));
		}
		catch (RuntimeException ex) {
			storeFailed();
			throw new MarkerStoreException("Could not write a marker to Redis: " + ex.getMessage(), ex);
		}
		finally {
			if (this.nearCache != null) {
				// Without waiting for Redis's invalidation to come back.
				this.nearCache.invalidate(key);
			}
		}
	}

	@Override
	public @Nullable Lsn find(KeyDigest key) {
		if (this.nearCache == null) {
			return ask(redisKey(key));
		}
		NearCache.Answer cached = this.nearCache.peek(key);
		if (cached != null && this.invalidations.catchUp(CATCH_UP_TIMEOUT)) {
			// An invalidation that was on its way when the read came is applied now.
			cached = this.nearCache.peek(key);
			if (cached != null) {
				this.nearCache.hit();
				return cached.lsn();
			}
		}
		this.nearCache.miss();
		NearCache.Fill fill = this.nearCache.startFill(key);
		Lsn lsn = null;
		boolean answered = false;
		try {
			lsn = ask(redisKey(key));
			answered = true;
			return lsn;
		}
		finally {
			if (fill != null) {
				// Kept only when Redis answered and its markers are trusted. Never an
				// unknown outcome: its end changes no key when a known position written
				// since takes over, so no invalidation would come.
				if (answered && !UNKNOWN_OUTCOME.equals(lsn)) {
					this.nearCache.complete(fill, lsn);
				}
				else {
					this.nearCache.abandon(fill);
				}
			}
		}
	}

	private @Nullable Lsn ask(String redisKey) {
		List<?> answer;
		try {
			answer = this.redis.execute(FIND, List.of(redisKey));
		}
		catch (RuntimeException ex) {
			storeFailed();
			throw new MarkerStoreException("Could not read a marker from Redis: " + ex.getMessage(), ex);
		}
		if (answer == null || answer.size() != 2) {
			throw new MarkerStoreException("Unexpected answer from Redis to a marker lookup: " + answer, null);
		}
		long uptimeMillis = ((Number) answer.get(1)).longValue() * 1000;
		if (uptimeMillis < 0) {
			uptimeUnknown();
		}
		else if (uptimeMillis < this.graceMillis) {
			throw new MarkersIncompleteException(
					"Redis started " + uptimeMillis / 1000 + " s ago and may have lost markers written before");
		}
		String value = (String) answer.get(0);
		return (value.isEmpty()) ? null : decode(redisKey, value);
	}

	private void uptimeUnknown() {
		if (this.graceMillis > 0 && this.uptimeUnknownLogged.compareAndSet(false, true)) {
			logger.warn("Redis does not tell its uptime (INFO is denied to this user, or its answer has no "
					+ "uptime_in_seconds): markers are trusted without checking that the server has run for "
					+ "{} ms, so a restarted Redis without persistence may answer 'no marker' for keys "
					+ "that wrote just before it stopped", this.graceMillis);
		}
	}

	private void storeFailed() {
		if (this.nearCache != null && this.nearCache.isOpen()) {
			// Redis may be out of reach while the channel has not noticed yet.
			this.nearCache.flush(NearCache.Flush.STORE_FAILED);
		}
	}

	@Override
	public void close() {
		if (this.invalidations != null) {
			this.invalidations.close();
		}
	}

	@Override
	public String name() {
		return "redis";
	}

	/**
	 * The Redis key of a consistency key.
	 * @param key the consistency key
	 * @return {@code tandem:rw:} and the key's SHA-256 in hex
	 */
	static String redisKey(String key) {
		return redisKey(KeyDigest.of(key));
	}

	private static String redisKey(KeyDigest key) {
		return KEY_PREFIX + key.hex();
	}

	/**
	 * The digest a Redis key of a marker holds.
	 * @param redisKey the Redis key
	 * @return the digest, or {@code null} when the key is not a marker's
	 */
	static @Nullable KeyDigest digestOf(String redisKey) {
		return redisKey.startsWith(KEY_PREFIX) ? KeyDigest.fromHex(redisKey, KEY_PREFIX.length()) : null;
	}

	static String encode(Lsn lsn) {
		return String.format("%016X", lsn.value());
	}

	/**
	 * The LSN of a marker's value.
	 * @param redisKey the key it was read under, for the message
	 * @param value 16 hex digits
	 * @return the LSN
	 * @throws MarkerStoreException when the value is not 16 hex digits: written by
	 * something other than Tandem
	 */
	static Lsn decode(String redisKey, String value) {
		if (!HEX_LSN.matcher(value).matches()) {
			String shown = (value.length() > 24) ? value.substring(0, 24) + "..." : value;
			throw new MarkerStoreException(
					"Redis holds a value that is not a marker under " + redisKey + ": '" + shown + "'", null);
		}
		return new Lsn(Long.parseUnsignedLong(value, 16));
	}

}
