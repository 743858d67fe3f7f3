package dev.tandem.consistency.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import dev.tandem.consistency.MarkerStore;
import dev.tandem.consistency.MarkerStoreException;
import dev.tandem.consistency.MarkersIncompleteException;
import dev.tandem.topology.Lsn;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Markers in Redis, through the application's {@link RedisConnectionFactory} (standalone,
 * Sentinel or Cluster alike). Keys are {@code tandem:rw:} and the SHA-256 of the
 * consistency key, never the key itself. An LSN is stored as 16 hex digits, so that Redis
 * compares positions as strings; a Lua script keeps the higher one atomically and renews
 * the TTL.
 * <p>
 * A Redis without persistence loses every marker when it restarts. So a lookup also reads
 * the server's uptime (in the same script, on the node that holds the key): while it is
 * shorter than the grace period (the markers' TTL), the server may lack markers written
 * before it started, and {@link #find} throws {@link MarkersIncompleteException} so the
 * read goes to the primary.
 */
public final class RedisMarkerStore implements MarkerStore {

	/** Prefix of every key Tandem writes. */
	public static final String KEY_PREFIX = "tandem:rw:";

	private static final RedisScript<Long> RECORD = new DefaultRedisScript<>("""
			local current = redis.call('GET', KEYS[1])
			if (not current) or current < ARGV[1] then
			  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
			else
			  redis.call('PEXPIRE', KEYS[1], ARGV[2])
			end
			return 1
			""", Long.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> FIND = new DefaultRedisScript<>("""
			local value = redis.call('GET', KEYS[1])
			local uptime = string.match(redis.call('INFO', 'server'), 'uptime_in_seconds:(%d+)')
			return {value or '', tonumber(uptime) or 0}
			""", List.class);

	private final StringRedisTemplate redis;

	private final long graceMillis;

	/**
	 * Creates the store.
	 * @param connectionFactory the application's Redis connections
	 * @param grace how long after a Redis server starts its markers are not trusted (the
	 * markers' TTL); zero to trust them at once
	 */
	public RedisMarkerStore(RedisConnectionFactory connectionFactory, Duration grace) {
		this.redis = new StringRedisTemplate(connectionFactory);
		this.graceMillis = grace.toMillis();
	}

	@Override
	public void record(String key, Lsn lsn, Duration ttl) {
		try {
			this.redis.execute(RECORD, List.of(redisKey(key)), encode(lsn), Long.toString(Math.max(1, ttl.toMillis())));
		}
		catch (RuntimeException ex) {
			throw new MarkerStoreException("Could not write a marker to Redis: " + ex.getMessage(), ex);
		}
	}

	@Override
	public @Nullable Lsn find(String key) {
		List<?> answer;
		try {
			answer = this.redis.execute(FIND, List.of(redisKey(key)));
		}
		catch (RuntimeException ex) {
			throw new MarkerStoreException("Could not read a marker from Redis: " + ex.getMessage(), ex);
		}
		if (answer == null || answer.size() != 2) {
			throw new MarkerStoreException("Unexpected answer from Redis to a marker lookup: " + answer, null);
		}
		long uptimeMillis = ((Number) answer.get(1)).longValue() * 1000;
		if (uptimeMillis < this.graceMillis) {
			throw new MarkersIncompleteException(
					"Redis started " + uptimeMillis / 1000 + " s ago and may have lost markers written before");
		}
		String value = (String) answer.get(0);
		return (value.isEmpty()) ? null : decode(value);
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
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
			return KEY_PREFIX + HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
		}
	}

	static String encode(Lsn lsn) {
		return String.format("%016X", lsn.value());
	}

	static Lsn decode(String value) {
		return new Lsn(Long.parseUnsignedLong(value, 16));
	}

}
