package dev.tandem.consistency.redis;

import java.time.Duration;
import java.util.UUID;

import dev.tandem.consistency.RedisTestSupport;
import dev.tandem.testkit.RedisSentinel;
import dev.tandem.testkit.RedisServer;
import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The near cache through a Redis Sentinel set-up: invalidations reach every instance, and
 * a failover empties the cache until tracking is on at the new master.
 */
class NearCacheSentinelIntegrationTests {

	private static final Duration TTL = Duration.ofSeconds(60);

	private static final Duration WAIT = Duration.ofSeconds(30);

	@Test
	void invalidationsFollowTheMasterThroughAFailover() throws Exception {
		try (RedisSentinel sentinel = RedisSentinel.builder().name("NearCacheSentinel").start()) {
			LettuceConnectionFactory factoryA = RedisTestSupport.connectionFactory(sentinel);
			LettuceConnectionFactory factoryB = RedisTestSupport.connectionFactory(sentinel);
			try (RedisMarkerStore a = new RedisMarkerStore(factoryA, Duration.ZERO, 1000);
					RedisMarkerStore b = new RedisMarkerStore(factoryB, Duration.ZERO, 1000)) {
				await().atMost(WAIT).until(() -> a.nearCache().isOpen() && b.nearCache().isOpen());
				String key = "user-" + UUID.randomUUID();
				assertThat(b.find(key)).isNull();
				a.record(key, Lsn.parse("0/100"), TTL);
				await().atMost(WAIT).until(() -> Lsn.parse("0/100").equals(b.find(key)));

				RedisServer oldMaster = sentinel.master();
				assertThat(sentinel.failover()).isNotSameAs(oldMaster);

				// Sentinel closes the clients of the deposed master (or B sees it is no
				// longer one): B's channel is lost, and comes back on the new master.
				await().atMost(WAIT)
					.until(() -> b.nearCache().flushes(NearCache.Flush.CONNECTION_LOST)
							+ b.nearCache().flushes(NearCache.Flush.TOPOLOGY_CHANGED) >= 1 && b.nearCache().isOpen());
				await().atMost(WAIT).until(() -> {
					a.record(key, Lsn.parse("0/200"), TTL);
					return Lsn.parse("0/200").equals(b.find(key));
				});
				a.record(key, Lsn.parse("0/300"), TTL);
				await().atMost(WAIT).until(() -> Lsn.parse("0/300").equals(b.find(key)));
			}
			finally {
				factoryA.destroy();
				factoryB.destroy();
			}
		}
	}

}
