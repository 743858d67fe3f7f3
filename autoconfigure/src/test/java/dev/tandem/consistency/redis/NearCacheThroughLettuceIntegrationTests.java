package dev.tandem.consistency.redis;

import java.time.Duration;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The tests of {@link NearCacheIntegrationTests} with the invalidation channel that goes
 * through the application's Lettuce client (the one used with TLS or a Unix socket).
 */
class NearCacheThroughLettuceIntegrationTests extends NearCacheIntegrationTests {

	@Override
	protected RedisMarkerStore store(LettuceConnectionFactory factory) {
		return RedisMarkerStore.throughLettuce(factory, Duration.ZERO, 1000);
	}

}
