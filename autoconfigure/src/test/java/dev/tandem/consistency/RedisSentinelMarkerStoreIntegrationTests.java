package dev.tandem.consistency;

import java.time.Duration;

import dev.tandem.consistency.redis.RedisMarkerStore;
import dev.tandem.testkit.RedisSentinel;
import dev.tandem.testkit.RedisSentinelExtension;
import dev.tandem.testkit.RedisServer;
import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link MarkerStore} contract on a real Redis Sentinel set-up (a master, a replica,
 * three sentinels), through a {@code RedisSentinelConfiguration}.
 */
class RedisSentinelMarkerStoreIntegrationTests extends MarkerStoreContractTests {

	@RegisterExtension
	static final RedisSentinelExtension sentinel = RedisSentinelExtension.create();

	private static LettuceConnectionFactory connections;

	private static RedisMarkerStore store;

	@BeforeAll
	static void connect() {
		connections = RedisTestSupport.connectionFactory(sentinel.sentinel());
		store = new RedisMarkerStore(connections, Duration.ZERO);
	}

	@AfterAll
	static void disconnect() {
		connections.destroy();
	}

	@Override
	protected MarkerStore store() {
		return store;
	}

	@Test
	void markersGoToTheMasterTheSentinelsName() {
		store.record("carol", Lsn.parse("0/300"), Duration.ofSeconds(30));
		LettuceConnectionFactory direct = RedisTestSupport.connectionFactory(sentinel.sentinel().master());
		try {
			assertThat(new RedisMarkerStore(direct, Duration.ZERO).find("carol")).isEqualTo(Lsn.parse("0/300"));
		}
		finally {
			direct.destroy();
		}
	}

	@Test
	void aMarkerThatReachedTheReplicaSurvivesAFailover() {
		// Redis replicates asynchronously, so a marker is only as safe as the replica's
		// copy: failover() first waits until the replica has every write the master took,
		// as a planned switch-over does. A master that crashes may lose the markers of
		// its
		// last moments, and a client still connected to a deposed master writes there
		// until Sentinel reconfigures it (seconds later) and those writes are lost too.
		try (RedisSentinel moving = RedisSentinel.builder().name("RedisSentinelMarkerFailover").start()) {
			LettuceConnectionFactory before = RedisTestSupport.connectionFactory(moving);
			try {
				new RedisMarkerStore(before, Duration.ZERO).record("dave", Lsn.parse("1/A0"), Duration.ofSeconds(60));
			}
			finally {
				before.destroy();
			}
			RedisServer oldMaster = moving.master();

			RedisServer newMaster = moving.failover();

			assertThat(newMaster).isNotSameAs(oldMaster);
			LettuceConnectionFactory after = RedisTestSupport.connectionFactory(moving);
			LettuceConnectionFactory direct = RedisTestSupport.connectionFactory(newMaster);
			try {
				RedisMarkerStore afterStore = new RedisMarkerStore(after, Duration.ZERO);
				assertThat(afterStore.find("dave")).isEqualTo(Lsn.parse("1/A0"));
				assertThat(new RedisMarkerStore(direct, Duration.ZERO).find("dave")).isEqualTo(Lsn.parse("1/A0"));
				afterStore.record("dave", Lsn.parse("1/B0"), Duration.ofSeconds(60));
				assertThat(new RedisMarkerStore(direct, Duration.ZERO).find("dave")).isEqualTo(Lsn.parse("1/B0"));
			}
			finally {
				after.destroy();
				direct.destroy();
			}
		}
	}

}
