package dev.tandem.consistency;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import dev.tandem.consistency.redis.NearCache;
import dev.tandem.consistency.redis.RedisMarkerStore;
import dev.tandem.testkit.RedisClusterExtension;
import dev.tandem.testkit.RedisServer;
import dev.tandem.wal.Lsn;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.types.RedisClientInfo;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@link MarkerStore} contract on a real Redis Cluster of three masters, through a
 * {@code RedisClusterConfiguration}.
 */
class RedisClusterMarkerStoreIntegrationTests extends MarkerStoreContractTests {

	@RegisterExtension
	static final RedisClusterExtension cluster = RedisClusterExtension.create();

	private static final Duration WAIT = Duration.ofSeconds(30);

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
	void theNearCacheHearsMarkersWrittenOnEveryMaster() {
		LettuceConnectionFactory otherInstance = RedisTestSupport.connectionFactory(cluster.cluster());
		try (RedisMarkerStore a = new RedisMarkerStore(connections, Duration.ZERO, 1000);
				RedisMarkerStore b = new RedisMarkerStore(otherInstance, Duration.ZERO, 1000)) {
			await().atMost(WAIT).until(() -> a.nearCache().isOpen() && b.nearCache().isOpen());
			Set<RedisServer> holders = new HashSet<>();
			for (int i = 0; i < 30; i++) {
				String key = "near-" + UUID.randomUUID();
				assertThat(b.find(key)).isNull();
				assertThat(b.find(key)).isNull();
				Lsn lsn = Lsn.parse("0/" + Integer.toHexString(0x100 + i));
				a.record(key, lsn, Duration.ofSeconds(30));
				holders.add(cluster.cluster().nodeFor(RedisMarkerStore.KEY_PREFIX + sha256(key)));
				await().atMost(WAIT).until(() -> lsn.equals(b.find(key)));
			}
			assertThat(holders).containsExactlyInAnyOrderElementsOf(cluster.cluster().nodes());
			assertThat(b.nearCache().hits()).isPositive();
			assertThat(b.nearCache().invalidations()).isGreaterThanOrEqualTo(30);
		}
		finally {
			otherInstance.destroy();
		}
	}

	@Test
	void losingTheTrackingConnectionOfOneMasterEmptiesTheCacheUntilEveryMasterTracksAgain() {
		LettuceConnectionFactory otherInstance = RedisTestSupport.connectionFactory(cluster.cluster());
		try (RedisMarkerStore a = new RedisMarkerStore(connections, Duration.ZERO, 1000);
				RedisMarkerStore b = new RedisMarkerStore(otherInstance, Duration.ZERO, 1000)) {
			await().atMost(WAIT).until(() -> a.nearCache().isOpen() && b.nearCache().isOpen());
			String key = "near-" + UUID.randomUUID();
			assertThat(b.find(key)).isNull();
			RedisServer holder = cluster.cluster().nodeFor(RedisMarkerStore.KEY_PREFIX + sha256(key));
			assertThat(killNearCacheConnections(holder)).isEqualTo(2);
			await().atMost(WAIT).until(() -> b.nearCache().flushes(NearCache.Flush.CONNECTION_LOST) >= 1);
			a.record(key, Lsn.parse("0/600"), Duration.ofSeconds(30));
			assertThat(b.find(key)).isEqualTo(Lsn.parse("0/600"));
			await().atMost(WAIT).until(() -> b.nearCache().isOpen());
			assertThat(b.find(key)).isEqualTo(Lsn.parse("0/600"));
			a.record(key, Lsn.parse("0/700"), Duration.ofSeconds(30));
			await().atMost(WAIT).until(() -> Lsn.parse("0/700").equals(b.find(key)));
		}
		finally {
			otherInstance.destroy();
		}
	}

	@Test
	void aMasterJoiningTheClusterEmptiesTheCacheUntilItIsTrackedToo() throws IOException {
		LettuceConnectionFactory otherInstance = RedisTestSupport.connectionFactory(cluster.cluster());
		int port = freePortWithBusPort();
		try (RedisMarkerStore b = new RedisMarkerStore(otherInstance, Duration.ZERO, 1000);
				RedisServer joining = RedisServer.builder()
					.name("RedisClusterMarkerStore-joining")
					.port(port)
					.arguments(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"))
					.start()) {
			await().atMost(WAIT).until(() -> b.nearCache().isOpen());
			String key = "near-" + UUID.randomUUID();
			assertThat(b.find(key)).isNull();
			RedisServer first = cluster.cluster().nodes().get(0);
			lettuce(first, (commands) -> commands.clusterMeet(joining.host(), joining.port()));
			await().atMost(WAIT).until(() -> b.nearCache().flushes(NearCache.Flush.TOPOLOGY_CHANGED) >= 1);
			await().atMost(WAIT).until(() -> b.nearCache().isOpen());
			store.record(key, Lsn.parse("0/800"), Duration.ofSeconds(30));
			await().atMost(WAIT).until(() -> Lsn.parse("0/800").equals(b.find(key)));
			String joiningId = lettuce(joining, RedisCommands::clusterMyId);
			// Leaves as it came, for the other tests: every node forgets it.
			await().atMost(WAIT)
				.until(() -> cluster.cluster()
					.nodes()
					.stream()
					.allMatch((node) -> lettuce(node, RedisCommands::clusterNodes).contains(joiningId)));
			for (RedisServer node : cluster.cluster().nodes()) {
				lettuce(node, (commands) -> commands.clusterForget(joiningId));
			}
		}
		finally {
			otherInstance.destroy();
		}
	}

	private static <T> T lettuce(RedisServer node, Function<RedisCommands<String, String>, T> action) {
		RedisClient client = RedisClient.create(RedisURI.create(node.host(), node.port()));
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			return action.apply(connection.sync());
		}
		finally {
			client.shutdown();
		}
	}

	/** A free port whose cluster bus port (10,000 higher) is free too. */
	private static int freePortWithBusPort() throws IOException {
		for (int attempt = 0; attempt < 100; attempt++) {
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				int port = socket.getLocalPort();
				if (port + 10000 <= 65535) {
					try (ServerSocket bus = new ServerSocket(port + 10000, 1, InetAddress.getLoopbackAddress())) {
						return port;
					}
					catch (IOException ex) {
						// Taken: another one.
					}
				}
			}
		}
		throw new IOException("No free port with a free cluster bus port");
	}

	/** Kills the near caches' connections on one node, as an operator could. */
	private static int killNearCacheConnections(RedisServer node) {
		LettuceConnectionFactory direct = RedisTestSupport.connectionFactory(node);
		try {
			return new StringRedisTemplate(direct).execute((RedisCallback<Integer>) (connection) -> {
				int killed = 0;
				for (RedisClientInfo client : connection.serverCommands().getClientList()) {
					if ("tandem-near-cache".equals(client.getName())) {
						String address = client.getAddressPort();
						int colon = address.lastIndexOf(':');
						connection.serverCommands()
							.killClient(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
						killed++;
					}
				}
				return killed;
			});
		}
		finally {
			direct.destroy();
		}
	}

}
