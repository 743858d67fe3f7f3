package dev.tandem.consistency.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.tandem.actuate.NearCacheMetrics;
import dev.tandem.consistency.RedisTestSupport;
import dev.tandem.testkit.RedisServerExtension;
import dev.tandem.wal.Lsn;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The near cache of two instances (two stores, each with its own connection factory) on a
 * real Redis: a marker written through one reaches the other's cache by Redis's
 * invalidation, and every way the invalidation channel can lose messages empties the
 * cache. The channel here is the near cache's own connection.
 */
class NearCacheIntegrationTests {

	private static final Duration TTL = Duration.ofSeconds(30);

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	private LettuceConnectionFactory factoryA;

	private LettuceConnectionFactory factoryB;

	private RedisMarkerStore a;

	private RedisMarkerStore b;

	private RedisClient admin;

	@BeforeEach
	void startInstances() {
		this.factoryA = RedisTestSupport.connectionFactory(redis.server());
		this.factoryB = RedisTestSupport.connectionFactory(redis.server());
		this.a = store(this.factoryA);
		this.b = store(this.factoryB);
		this.admin = RedisClient.create(redis.server().url());
		await().atMost(WAIT).until(() -> this.a.nearCache().isOpen() && this.b.nearCache().isOpen());
	}

	@AfterEach
	void stopInstances() throws Exception {
		if (!redis.server().isRunning()) {
			redis.server().start();
		}
		this.a.close();
		this.b.close();
		this.factoryA.destroy();
		this.factoryB.destroy();
		this.admin.shutdown();
	}

	/**
	 * An instance's store.
	 * @param factory the instance's connection factory
	 * @return the store, with a near cache
	 */
	protected RedisMarkerStore store(LettuceConnectionFactory factory) {
		return new RedisMarkerStore(factory, Duration.ZERO, 1000);
	}

	private static String key() {
		return "user-" + UUID.randomUUID();
	}

	@Test
	void aSecondLookupIsAnsweredFromMemory() {
		String key = key();
		assertThat(this.b.find(key)).isNull();
		long hits = this.b.nearCache().hits();
		assertThat(this.b.find(key)).isNull();
		assertThat(this.b.nearCache().hits()).isEqualTo(hits + 1);
	}

	@Test
	void theMetersCountWhatTheCacheDid() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new NearCacheMetrics(this.b.nearCache()).bindTo(registry);
		String key = key();
		this.b.find(key);
		this.b.find(key);
		this.b.find(key);
		this.a.record(key, Lsn.parse("0/600"), TTL);
		await().atMost(WAIT)
			.until(() -> registry.get("tandem.consistency.near-cache.invalidations").functionCounter().count() >= 1);
		assertThat(registry.get("tandem.consistency.near-cache.hits").functionCounter().count()).isEqualTo(2);
		assertThat(registry.get("tandem.consistency.near-cache.misses").functionCounter().count()).isEqualTo(1);
		assertThat(registry.get("tandem.consistency.near-cache.open").gauge().value()).isEqualTo(1);
		assertThat(registry.get("tandem.consistency.near-cache.flushes")
			.tag("cause", "tracking-enabled")
			.functionCounter()
			.count()).isEqualTo(1);
	}

	@Test
	void aLookupRightAfterAWriteThroughAnotherInstanceSeesIt() {
		String key = key();
		for (int i = 1; i <= 300; i++) {
			// Answered from memory from the second time on: the last position.
			this.b.find(key);
			Lsn written = new Lsn(0x1000L * i);
			this.a.record(key, written, TTL);
			// No wait: the invalidation is in B's socket before A's write returns.
			assertThat(this.b.find(key)).as("lookup %d", i).isEqualTo(written);
		}
		assertThat(this.b.nearCache().hits()).isGreaterThanOrEqualTo(299);
	}

	@Test
	void aLookupRightAfterAWriteSeesItWhileOtherLookupsReadTheSocketsToo() throws Exception {
		String key = key();
		String busy = key();
		AtomicBoolean running = new AtomicBoolean(true);
		List<Thread> readers = new ArrayList<>();
		for (int t = 0; t < 6; t++) {
			// Lookups of another key answered from memory: each reads the sockets, and
			// lookups of the key below often find a read of another thread under way.
			Thread reader = new Thread(() -> {
				while (running.get()) {
					this.b.find(busy);
				}
			});
			reader.start();
			readers.add(reader);
		}
		try {
			for (int i = 1; i <= 300; i++) {
				this.b.find(key);
				Lsn written = new Lsn(0x1000L * i);
				this.a.record(key, written, TTL);
				assertThat(this.b.find(key)).as("lookup %d", i).isEqualTo(written);
			}
		}
		finally {
			running.set(false);
			for (Thread reader : readers) {
				reader.join(WAIT.toMillis());
			}
		}
		assertThat(this.b.nearCache().hits()).isGreaterThanOrEqualTo(299);
	}

	@Test
	void aMarkerWrittenThroughOneInstanceReachesTheOthersCache() {
		String key = key();
		assertThat(this.b.find(key)).isNull();
		assertThat(this.b.find(key)).isNull();
		this.a.record(key, Lsn.parse("0/3000060"), TTL);
		await().atMost(WAIT).until(() -> Lsn.parse("0/3000060").equals(this.b.find(key)));
		// And the next one is known again from memory.
		long hits = this.b.nearCache().hits();
		assertThat(this.b.find(key)).isEqualTo(Lsn.parse("0/3000060"));
		assertThat(this.b.nearCache().hits()).isEqualTo(hits + 1);
	}

	@Test
	void aMarkerThatExpiresInRedisLeavesTheCache() {
		String key = key();
		this.a.record(key, Lsn.parse("0/100"), Duration.ofMillis(300));
		assertThat(this.b.find(key)).isEqualTo(Lsn.parse("0/100"));
		await().atMost(WAIT).until(() -> this.b.find(key) == null);
	}

	@Test
	void killingTheInvalidationConnectionEmptiesTheCacheUntilTrackingIsBack() {
		String key = key();
		assertThat(this.b.find(key)).isNull();
		assertThat(this.b.nearCache().size()).isPositive();
		try (StatefulRedisConnection<String, String> connection = this.admin.connect()) {
			long killed = connection.sync().clientKill(KillArgs.Builder.id(this.b.invalidationClientId()).skipme(true));
			assertThat(killed).isEqualTo(1);
		}
		await().atMost(WAIT).until(() -> this.b.nearCache().flushes(NearCache.Flush.CONNECTION_LOST) >= 1);
		// Written while B's channel is down or just back: B asks Redis, not its memory.
		this.a.record(key, Lsn.parse("0/200"), TTL);
		assertThat(this.b.find(key)).isEqualTo(Lsn.parse("0/200"));
		await().atMost(WAIT).until(() -> this.b.nearCache().isOpen());
		assertThat(this.b.find(key)).isEqualTo(Lsn.parse("0/200"));
		this.a.record(key, Lsn.parse("0/300"), TTL);
		await().atMost(WAIT).until(() -> Lsn.parse("0/300").equals(this.b.find(key)));
	}

	@Test
	void aRedisRestartEmptiesTheCacheAndTrackingComesBack() {
		String key = key();
		this.a.record(key, Lsn.parse("0/400"), TTL);
		assertThat(this.b.find(key)).isEqualTo(Lsn.parse("0/400"));
		redis.server().stop();
		await().atMost(WAIT).until(() -> !this.b.nearCache().isOpen());
		assertThat(this.b.nearCache().size()).isZero();
		redis.server().start();
		await().atMost(WAIT).until(() -> this.b.nearCache().isOpen());
		// The restarted Redis lost the marker: so does the cache.
		assertThat(this.b.find(key)).isNull();
	}

	@Test
	void aStoreMadeWhileRedisIsDownStartsClosedAndOpensOnceRedisIsUp() throws Exception {
		redis.server().stop();
		LettuceConnectionFactory factory = RedisTestSupport.connectionFactory(redis.server());
		try (RedisMarkerStore late = store(factory)) {
			assertThat(late.nearCache().isOpen()).isFalse();
			redis.server().start();
			await().atMost(WAIT).until(() -> late.nearCache().isOpen());
			String key = key();
			this.a.record(key, Lsn.parse("0/700"), TTL);
			assertThat(late.find(key)).isEqualTo(Lsn.parse("0/700"));
		}
		finally {
			factory.destroy();
		}
	}

	@Test
	void aFlushOfRedisEmptiesTheCache() {
		String key = key();
		this.a.record(key, Lsn.parse("0/500"), TTL);
		assertThat(this.b.find(key)).isEqualTo(Lsn.parse("0/500"));
		try (StatefulRedisConnection<String, String> connection = this.admin.connect()) {
			connection.sync().flushall();
		}
		await().atMost(WAIT).until(() -> this.b.find(key) == null);
		assertThat(this.b.nearCache().flushes(NearCache.Flush.REDIS_FLUSHED)).isPositive();
	}

}
