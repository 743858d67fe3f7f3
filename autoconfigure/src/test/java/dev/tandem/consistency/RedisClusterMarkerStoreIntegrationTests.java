package dev.tandem.consistency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

import dev.tandem.consistency.redis.RedisMarkerStore;
import dev.tandem.testkit.RedisClusterExtension;
import dev.tandem.testkit.RedisServer;
import dev.tandem.topology.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link MarkerStore} contract on a real Redis Cluster of three masters, through a
 * {@code RedisClusterConfiguration}.
 */
class RedisClusterMarkerStoreIntegrationTests extends MarkerStoreContractTests {

	@RegisterExtension
	static final RedisClusterExtension cluster = RedisClusterExtension.create();

	private static LettuceConnectionFactory connections;

	private static RedisMarkerStore store;

	@BeforeAll
	static void connect() {
		connections = RedisTestSupport.connectionFactory(cluster.cluster());
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
	void markersSpreadOverTheMastersEachOnTheNodeOfItsSlot() {
		Set<RedisServer> holders = new HashSet<>();
		for (int i = 0; i < 30; i++) {
			String key = "user-" + i;
			store.record(key, Lsn.parse("0/" + Integer.toHexString(0x100 + i)), Duration.ofSeconds(30));
			RedisServer holder = holder(key);
			holders.add(holder);
			assertThat(store.find(key)).isEqualTo(Lsn.parse("0/" + Integer.toHexString(0x100 + i)));
		}
		assertThat(holders).containsExactlyInAnyOrderElementsOf(cluster.cluster().nodes());
	}

	/**
	 * Return the node that has the marker of a consistency key, asking each node
	 * directly.
	 */
	private static RedisServer holder(String key) {
		String redisKey = RedisMarkerStore.KEY_PREFIX + sha256(key);
		RedisServer holder = cluster.cluster().nodeFor(redisKey);
		LettuceConnectionFactory direct = RedisTestSupport.connectionFactory(holder);
		try {
			assertThat(new StringRedisTemplate(direct).hasKey(redisKey)).isTrue();
		}
		finally {
			direct.destroy();
		}
		return holder;
	}

	private static String sha256(String key) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void theNearCacheIsOffOnAClusterAndLookupsGoToRedis() {
		try (RedisMarkerStore withNearCache = new RedisMarkerStore(connections, Duration.ZERO, 1000)) {
			assertThat(withNearCache.nearCache()).isNull();
			withNearCache.record("erin", Lsn.parse("0/500"), Duration.ofSeconds(30));
			assertThat(store.find("erin")).isEqualTo(Lsn.parse("0/500"));
			assertThat(withNearCache.find("erin")).isEqualTo(Lsn.parse("0/500"));
		}
	}

}
