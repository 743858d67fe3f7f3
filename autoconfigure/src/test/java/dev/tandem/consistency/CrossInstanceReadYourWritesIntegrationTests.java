package dev.tandem.consistency;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.tandem.consistency.ReadYourWritesIntegrationTests.Items;
import dev.tandem.consistency.ReadYourWritesIntegrationTests.Seen;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.testkit.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two application instances sharing one Redis: a write through one is seen by a read
 * through the other with the same key, while every standby lags; when Redis stops, no
 * request fails and no read is stale; when it is back, standbys serve those reads again.
 */
class CrossInstanceReadYourWritesIntegrationTests {

	private static final Logger logger = LoggerFactory.getLogger(CrossInstanceReadYourWritesIntegrationTests.class);

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	@BeforeAll
	static void createTable() throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE item (id bigserial PRIMARY KEY, owner text NOT NULL)");
		}
	}

	@AfterEach
	void restore() {
		redis.server().start();
		cluster.cluster().standbys().forEach(PostgresNode::resumeReplay);
	}

	private static ApplicationContextRunner instance(boolean withRedis, String... properties) {
		ApplicationContextRunner runner = ReadYourWritesIntegrationTests.runnerOver(cluster.libpqUrl(), properties);
		return withRedis ? runner.withBean(RedisConnectionFactory.class,
				() -> RedisTestSupport.connectionFactory(redis.server())) : runner;
	}

	@Test
	void aWriteThroughOneInstanceIsSeenByAReadThroughAnotherWithTheSameKey() {
		cluster.cluster().standbys().forEach(PostgresNode::pauseReplay);
		instance(true).run((first) -> instance(true).run((second) -> {
			assertThat(first.getBean(MarkerStore.class).name()).isEqualTo("redis");
			List<Seen> reads = cycles(first.getBean(Items.class), second.getBean(Items.class), 100);
			assertThat(reads).allSatisfy((seen) -> {
				assertThat(seen.found()).isTrue();
				assertThat(seen.port()).isEqualTo(cluster.cluster().primary().port());
			});
		}));
	}

	@Test
	void withMarkersInMemoryTheOtherInstanceReadsStaleData() {
		cluster.cluster().standbys().forEach(PostgresNode::pauseReplay);
		instance(false).run((first) -> instance(false).run((second) -> {
			assertThat(first.getBean(MarkerStore.class).name()).isEqualTo("memory");
			List<Seen> reads = cycles(first.getBean(Items.class), second.getBean(Items.class), 20);
			assertThat(reads).noneSatisfy((seen) -> assertThat(seen.found()).isTrue());
		}));
	}

	@Test
	void whenRedisStopsNothingFailsNothingIsStaleAndWhenItIsBackStandbysServeAgain() {
		PostgresCluster postgres = cluster.cluster();
		// Short limits, so that the grace periods below pass quickly: the least TTL that
		// Tandem accepts is max-lag + 2 check intervals.
		String[] shortLimits = { "tandem.reads.max-lag=1s", "tandem.topology.check-interval=250ms",
				"tandem.consistency.ttl=2s" };
		instance(true, shortLimits).run((first) -> instance(true, shortLimits).run((second) -> {
			Items writer = first.getBean(Items.class);
			Items reader = second.getBean(Items.class);
			// Replay running: reads after writes go to caught-up standbys, once Redis has
			// run for a TTL (before that it may lack markers from before its start).
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(cycles(writer, reader, 30))
					.allSatisfy((seen) -> assertThat(seen.found()).isTrue())
					.anySatisfy((seen) -> assertThat(seen.standby()).isTrue()));
			postgres.standbys().forEach(PostgresNode::pauseReplay);
			redis.server().stop();
			List<Seen> duringOutage = cycles(writer, reader, 100);
			logger.info("RYW Redis down: {} reads, {} found, {} on the primary", duringOutage.size(),
					duringOutage.stream().filter(Seen::found).count(),
					duringOutage.stream().filter((seen) -> seen.port() == postgres.primary().port()).count());
			assertThat(duringOutage).allSatisfy((seen) -> {
				assertThat(seen.found()).isTrue();
				assertThat(seen.port()).isEqualTo(postgres.primary().port());
			});
			assertThat(((FallbackMarkerStore) first.getBean(MarkerStore.class)).fallbackWrites()).isPositive();
			assertThat(((FallbackMarkerStore) second.getBean(MarkerStore.class)).available()).isFalse();
			redis.server().start();
			// Back, but empty, and the markers the first instance kept locally are not in
			// it: reads stay on the primary for a TTL.
			assertThat(cycles(writer, reader, 10)).allSatisfy((seen) -> {
				assertThat(seen.found()).isTrue();
				assertThat(seen.port()).isEqualTo(postgres.primary().port());
			});
			postgres.standbys().forEach(PostgresNode::resumeReplay);
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(cycles(writer, reader, 10))
					.allSatisfy((seen) -> assertThat(seen.found()).isTrue())
					.allSatisfy((seen) -> assertThat(seen.standby()).isTrue()));
			assertThat(((FallbackMarkerStore) second.getBean(MarkerStore.class)).available()).isTrue();
		}));
	}

	/** Writes through one instance and reads the row through the other, key by key. */
	private static List<Seen> cycles(Items writer, Items reader, int count) {
		List<Seen> reads = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			String key = "user-" + (i % 20);
			long[] id = new long[1];
			ConsistencyKey.runWith(key, () -> id[0] = writer.write(key));
			ConsistencyKey.runWith(key, () -> reads.add(reader.read(id[0])));
		}
		return reads;
	}

}
