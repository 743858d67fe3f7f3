package dev.tandem.consistency.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import dev.tandem.consistency.MarkerStore;
import dev.tandem.consistency.MarkerStoreException;
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

	private final StringRedisTemplate redis;

	/**
	 * Creates the store.
	 * @param connectionFactory the application's Redis connections
	 */
	public RedisMarkerStore(RedisConnectionFactory connectionFactory) {
		this.redis = new StringRedisTemplate(connectionFactory);
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
		String value;
		try {
			value = this.redis.opsForValue().get(redisKey(key));
		}
		catch (RuntimeException ex) {
			throw new MarkerStoreException("Could not read a marker from Redis: " + ex.getMessage(), ex);
		}
		return (value != null) ? decode(value) : null;
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
