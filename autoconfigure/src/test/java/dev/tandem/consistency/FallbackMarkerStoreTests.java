package dev.tandem.consistency;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link FallbackMarkerStore}, over a shared store that can be switched off.
 * The behaviour against a real Redis is covered by the integration tests.
 */
class FallbackMarkerStoreTests {

	private static final Duration TTL = Duration.ofSeconds(10);

	private final SwitchableMarkerStore shared = new SwitchableMarkerStore();

	@Test
	void whileTheSharedStoreIsDownMarkersStayLocalAndReadsWithAKeyAreSentToThePrimary() {
		FallbackMarkerStore store = new FallbackMarkerStore(this.shared, new MemoryMarkerStore(), Duration.ZERO,
				Duration.ZERO);
		this.shared.up.set(false);
		store.record("k", new Lsn(5), TTL);
		assertThat(store.fallbackWrites()).isEqualTo(1);
		assertThatExceptionOfType(MarkerStoreException.class).isThrownBy(() -> store.find("k"))
			.isNotInstanceOf(MarkersIncompleteException.class);
		this.shared.up.set(true);
		assertThat(store.find("k")).isEqualTo(new Lsn(5));
	}

	@Test
	void forTheGracePeriodAfterTheSharedStoreComesBackItsAnswersAreNotTrusted() {
		// Another instance kept its marker locally during the outage: this one cannot see
		// it in the shared store, so it must not trust "no marker" until it has expired.
		AtomicLong now = new AtomicLong();
		FallbackMarkerStore store = new FallbackMarkerStore(this.shared, new MemoryMarkerStore(), Duration.ZERO,
				Duration.ofMillis(300), now::get);
		assertThat(store.find("k")).isNull();
		this.shared.up.set(false);
		assertThatExceptionOfType(MarkerStoreException.class).isThrownBy(() -> store.find("k"));
		this.shared.up.set(true);
		assertThatExceptionOfType(MarkersIncompleteException.class).isThrownBy(() -> store.find("k"))
			.withMessageContaining("may lack markers");
		assertThat(store.available()).as("answering: not counted as failed").isTrue();
		now.addAndGet(Duration.ofMillis(299).toNanos());
		assertThatExceptionOfType(MarkersIncompleteException.class).isThrownBy(() -> store.find("k"));
		now.addAndGet(Duration.ofMillis(1).toNanos());
		assertThat(store.find("k")).isNull();
	}

	@Test
	void afterAFailureTheSharedStoreIsLeftAloneForThePause() {
		AtomicLong now = new AtomicLong();
		FallbackMarkerStore store = new FallbackMarkerStore(this.shared, new MemoryMarkerStore(), Duration.ofSeconds(1),
				Duration.ZERO, now::get);
		this.shared.up.set(false);
		store.record("k", new Lsn(3), TTL);
		this.shared.up.set(true);
		store.record("k", new Lsn(4), TTL);
		assertThat(store.fallbackWrites()).as("paused: written locally").isEqualTo(2);
		assertThatExceptionOfType(MarkerStoreException.class).isThrownBy(() -> store.find("k"));
		now.addAndGet(Duration.ofSeconds(1).toNanos());
		assertThat(store.find("k")).isEqualTo(new Lsn(4));
		assertThat(store.available()).isTrue();
	}

	@Test
	void markersKeptLocallyDuringAnOutageAreWrittenToTheSharedStoreWhenItIsBack() {
		FallbackMarkerStore store = new FallbackMarkerStore(this.shared, new MemoryMarkerStore(), Duration.ZERO, TTL);
		this.shared.up.set(false);
		store.record("k", new Lsn(9), TTL);
		this.shared.up.set(true);
		store.record("other", new Lsn(1), TTL);
		// Another instance reading the shared store finds this one's outage marker.
		await().atMost(Duration.ofSeconds(5)).until(() -> new Lsn(9).equals(this.shared.find("k")));
	}

	@Test
	void aStoreThatNeverFailedIsTrustedFromTheStart() {
		FallbackMarkerStore store = new FallbackMarkerStore(this.shared, new MemoryMarkerStore(), Duration.ZERO, TTL);
		store.record("k", new Lsn(7), TTL);
		assertThat(store.find("k")).isEqualTo(new Lsn(7));
		assertThat(store.fallbackWrites()).isZero();
	}

}
