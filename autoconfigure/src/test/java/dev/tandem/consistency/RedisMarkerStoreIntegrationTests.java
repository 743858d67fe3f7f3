package dev.tandem.consistency;

import java.time.Duration;
import java.util.Set;

import dev.tandem.consistency.redis.RedisMarkerStore;
import dev.tandem.testkit.RedisServerExtension;
import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The {@link MarkerStore} contract on a real Redis server, and how keys look there.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisMarkerStoreIntegrationTests extends MarkerStoreContractTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	private static LettuceConnectionFactory connections;

	private static RedisMarkerStore store;

	@BeforeAll
	static void connect() {
		connections = RedisTestSupport.connectionFactory(redis.server());
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
	void aServerThatStartedLessThanTheGracePeriodAgoMayLackMarkers() {
		// A restarted Redis without persistence lost the markers written before: the
		// first lookups after the restart must not read "no marker" as "no recent write".
		store.record("bob", Lsn.parse("0/200"), Duration.ofSeconds(30));
		RedisMarkerStore cautious = new RedisMarkerStore(connections, Duration.ofHours(1));
		assertThatExceptionOfType(MarkersIncompleteException.class).isThrownBy(() -> cautious.find("bob"))
			.withMessageContaining("may have lost markers");
		assertThat(store.find("bob")).isEqualTo(Lsn.parse("0/200"));
	}

	@Test
	void keysAreNamespacedAndHashedNeverRaw() {
		store.record("alice@example.com", Lsn.parse("0/100"), Duration.ofSeconds(30));
		Set<String> keys = new StringRedisTemplate(connections).keys("*");
		assertThat(keys)
			.contains(RedisMarkerStore.KEY_PREFIX + "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976")
			.allSatisfy((key) -> assertThat(key).startsWith(RedisMarkerStore.KEY_PREFIX).doesNotContain("alice"));
	}

	@Test
	void aNamespaceIsHashedWithTheKeyUnderTheSamePrefix() {
		store.record(ReadConsistency.storeKey("shop", "dave"), Lsn.parse("0/400"), Duration.ofSeconds(30));
		store.record(ReadConsistency.storeKey("billing", "dave"), Lsn.parse("0/500"), Duration.ofSeconds(30));
		assertThat(store.find(ReadConsistency.storeKey("shop", "dave"))).isEqualTo(Lsn.parse("0/400"));
		assertThat(store.find("dave")).isNull();
		assertThat(new StringRedisTemplate(connections).keys(RedisMarkerStore.KEY_PREFIX + "*"))
			.contains(RedisMarkerStore.KEY_PREFIX + KeyDigest.of("4:shop:dave").hex(),
					RedisMarkerStore.KEY_PREFIX + KeyDigest.of("7:billing:dave").hex())
			.allSatisfy((key) -> assertThat(key).doesNotContain("shop").doesNotContain("dave"));
	}

	@Test
	void withANearCacheAnUnknownOutcomeStillEndsOneTtlAfterItsRecording() throws Exception {
		// Its end changes no key, so Redis sends no invalidation for it.
		try (RedisMarkerStore cached = new RedisMarkerStore(connections, Duration.ZERO, 100)) {
			await().atMost(Duration.ofSeconds(10)).until(() -> cached.nearCache().isOpen());
			cached.record("erin", ReadConsistency.UNKNOWN, Duration.ofMillis(300));
			cached.record("erin", Lsn.parse("0/600"), Duration.ofSeconds(30));
			assertThat(cached.find("erin")).isEqualTo(ReadConsistency.UNKNOWN);
			assertThat(cached.find("erin")).isEqualTo(ReadConsistency.UNKNOWN);
			await().atMost(Duration.ofSeconds(5)).until(() -> Lsn.parse("0/600").equals(cached.find("erin")));
		}
	}

	@Test
	void aValueThatIsNotAMarkerIsAStoreFailureNotARequestError() {
		// Issue 13, item 11: a NumberFormatException reached the request (a 500).
		new StringRedisTemplate(connections).opsForValue()
			.set(RedisMarkerStore.KEY_PREFIX + KeyDigest.of("mallory").hex(), "not-a-marker");
		assertThatExceptionOfType(MarkerStoreException.class).isThrownBy(() -> store.find("mallory"))
			.withMessageContaining("not a marker");
		ReadConsistency consistency = new ReadConsistency(ConsistencyMode.LSN, () -> "mallory", store,
				Duration.ofSeconds(30), Duration.ZERO, () -> null);
		assertThat(consistency.requirement().primary()).isTrue();
	}

	@Test
	void withoutTheRightToCallInfoMarkersAreTrustedWithoutTheUptimeCheck(CapturedOutput output) {
		// Issue 13, item 11: a denied INFO failed every lookup, so keyed reads went to
		// the
		// primary for ever.
		new StringRedisTemplate(connections).execute((RedisCallback<Object>) (connection) -> connection.execute("ACL",
				"SETUSER".getBytes(), "no-info".getBytes(), "on".getBytes(), ">secret".getBytes(), "~*".getBytes(),
				"+@all".getBytes(), "-info".getBytes()));
		LettuceConnectionFactory limited = RedisTestSupport.connectionFactory(redis.server(), "no-info", "secret");
		try {
			RedisMarkerStore cautious = new RedisMarkerStore(limited, Duration.ofHours(1));
			cautious.record("carol", Lsn.parse("0/300"), Duration.ofSeconds(30));
			assertThat(cautious.find("carol")).isEqualTo(Lsn.parse("0/300"));
			assertThat(cautious.find("nobody")).isNull();
			assertThat(output).containsOnlyOnce("Redis does not tell its uptime");
		}
		finally {
			limited.destroy();
		}
	}

}
