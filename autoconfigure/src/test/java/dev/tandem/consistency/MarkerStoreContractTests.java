package dev.tandem.consistency;

import java.time.Duration;
import java.util.UUID;

import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What every {@link MarkerStore} does; each store's test class extends this one.
 */
abstract class MarkerStoreContractTests {

	private static final Duration TTL = Duration.ofSeconds(30);

	/** A TTL that {@link #passTime} outlives. */
	private static final Duration SHORT_TTL = Duration.ofSeconds(1);

	/**
	 * The store under test.
	 * @return the store
	 */
	protected abstract MarkerStore store();

	/**
	 * Lets time pass for the store. A store whose markers expire on a server's clock
	 * (Redis) waits that long; a store that takes a clock advances it instead.
	 * @param time how long
	 * @throws InterruptedException when interrupted while waiting
	 */
	protected void passTime(Duration time) throws InterruptedException {
		Thread.sleep(time.toMillis());
	}

	private static String key() {
		return "key-" + UUID.randomUUID();
	}

	@Test
	void aKeyWithoutWritesHasNoMarker() {
		assertThat(store().find(key())).isNull();
	}

	@Test
	void aRecordedMarkerIsFound() {
		String key = key();
		store().record(key, Lsn.parse("0/3000060"), TTL);
		assertThat(store().find(key)).isEqualTo(Lsn.parse("0/3000060"));
	}

	@Test
	void theHighestLsnWinsWhateverTheOrderOfWrites() {
		String key = key();
		store().record(key, Lsn.parse("0/3000060"), TTL);
		store().record(key, Lsn.parse("0/2FFFFF0"), TTL);
		assertThat(store().find(key)).isEqualTo(Lsn.parse("0/3000060"));
		store().record(key, Lsn.parse("1/0"), TTL);
		assertThat(store().find(key)).isEqualTo(Lsn.parse("1/0"));
	}

	@Test
	void lsnsCompareAsUnsignedPositionsNotAsText() {
		String key = key();
		store().record(key, Lsn.parse("A/0"), TTL);
		store().record(key, Lsn.parse("9/FFFFFFFF"), TTL);
		assertThat(store().find(key)).isEqualTo(Lsn.parse("A/0"));
	}

	@Test
	void keysAreIndependent() {
		String one = key();
		String other = key();
		store().record(one, Lsn.parse("0/100"), TTL);
		assertThat(store().find(other)).isNull();
	}

	@Test
	void aMarkerExpiresAfterItsTtl() throws InterruptedException {
		String key = key();
		store().record(key, Lsn.parse("0/100"), SHORT_TTL);
		assertThat(store().find(key)).isNotNull();
		passTime(SHORT_TTL);
		// A server may drop an expired key a moment late.
		await().atMost(Duration.ofSeconds(5)).until(() -> store().find(key) == null);
	}

	@Test
	void aLaterWriteExtendsTheMarkersLife() throws InterruptedException {
		String key = key();
		store().record(key, Lsn.parse("0/200"), SHORT_TTL);
		store().record(key, Lsn.parse("0/100"), TTL);
		// Past the first write's TTL.
		passTime(SHORT_TTL.plusMillis(100));
		assertThat(store().find(key)).isEqualTo(Lsn.parse("0/200"));
	}

	@Test
	void anUnknownOutcomeWinsOverEveryKnownPositionWhileItLives() {
		String key = key();
		store().record(key, Lsn.parse("5/0"), TTL);
		store().record(key, ReadConsistency.UNKNOWN, TTL);
		store().record(key, Lsn.parse("6/0"), TTL);
		assertThat(store().find(key)).isEqualTo(ReadConsistency.UNKNOWN);
	}

	@Test
	void anUnknownOutcomeLivesOneTtlFromItsOwnRecordingWhileItsKeyKeepsWriting() throws InterruptedException {
		// Issue 13, item 10: each write renewed it, so a busy key read from the primary
		// for ever.
		String key = key();
		store().record(key, ReadConsistency.UNKNOWN, SHORT_TTL);
		store().record(key, Lsn.parse("0/100"), TTL);
		passTime(SHORT_TTL);
		// A server may drop an expired key a moment late.
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
			store().record(key, Lsn.parse("0/100"), TTL);
			return Lsn.parse("0/100").equals(store().find(key));
		});
	}

	@Test
	void aPositionWrittenAfterAnUnknownOutcomeIsRequiredOnceTheUnknownExpires() throws InterruptedException {
		String key = key();
		store().record(key, ReadConsistency.UNKNOWN, SHORT_TTL);
		store().record(key, Lsn.parse("0/200"), TTL);
		assertThat(store().find(key)).isEqualTo(ReadConsistency.UNKNOWN);
		passTime(SHORT_TTL);
		await().atMost(Duration.ofSeconds(5)).until(() -> Lsn.parse("0/200").equals(store().find(key)));
	}

	@Test
	void aLaterUnknownOutcomeLivesOneTtlFromItsOwnRecording() throws InterruptedException {
		String key = key();
		store().record(key, ReadConsistency.UNKNOWN, SHORT_TTL);
		store().record(key, ReadConsistency.UNKNOWN, TTL);
		passTime(SHORT_TTL.plusMillis(100));
		assertThat(store().find(key)).isEqualTo(ReadConsistency.UNKNOWN);
	}

}
