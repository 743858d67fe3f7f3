package dev.tandem.consistency;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MemoryMarkerStore}: the contract, and its bound.
 */
class MemoryMarkerStoreTests extends MarkerStoreContractTests {

	private final AtomicLong now = new AtomicLong();

	private final MemoryMarkerStore store = new MemoryMarkerStore(MemoryMarkerStore.DEFAULT_CAPACITY, this.now::get);

	@Override
	protected MarkerStore store() {
		return this.store;
	}

	@Override
	protected void passTime(Duration time) {
		this.now.addAndGet(time.toNanos());
	}

	@Test
	void aMarkerLivesUntilTheEndOfItsTtl() {
		this.store.record("k", new Lsn(1), Duration.ofSeconds(1));
		passTime(Duration.ofMillis(999));
		assertThat(this.store.find("k")).isEqualTo(new Lsn(1));
		passTime(Duration.ofMillis(1));
		assertThat(this.store.find("k")).isNull();
	}

	@Test
	void staysWithinItsCapacityDroppingExpiredMarkersFirst() {
		AtomicLong now = new AtomicLong();
		MemoryMarkerStore bounded = new MemoryMarkerStore(10, now::get);
		for (int i = 0; i < 10; i++) {
			bounded.record("old-" + i, new Lsn(i), Duration.ofNanos(100));
		}
		now.set(1_000);
		for (int i = 0; i < 10; i++) {
			bounded.record("new-" + i, new Lsn(i), Duration.ofSeconds(10));
		}
		assertThat(bounded.size()).isEqualTo(10);
		for (int i = 0; i < 10; i++) {
			assertThat(bounded.find("new-" + i)).isEqualTo(new Lsn(i));
		}
		for (int i = 0; i < 100; i++) {
			bounded.record("more-" + i, new Lsn(i), Duration.ofSeconds(10));
		}
		assertThat(bounded.size()).isLessThanOrEqualTo(10);
	}

	@Test
	void expiredMarkersAreDroppedAsNewOnesAreWrittenLongBeforeTheStoreIsFull() {
		// Issue 13, item 9: expired markers used to stay until the store was full.
		AtomicLong now = new AtomicLong();
		MemoryMarkerStore store = new MemoryMarkerStore(1_000, now::get);
		for (int i = 0; i < 10; i++) {
			store.record("old-" + i, new Lsn(i), Duration.ofNanos(100));
		}
		now.set(1_000);
		for (int i = 0; i < 10; i++) {
			store.record("new-" + i, new Lsn(i), Duration.ofSeconds(10));
		}
		assertThat(store.size()).isEqualTo(10);
	}

	@Test
	void aMarkerWrittenAgainOutlivesTheMarkersQueuedAfterIt() {
		AtomicLong now = new AtomicLong();
		MemoryMarkerStore store = new MemoryMarkerStore(1_000, now::get);
		store.record("a", new Lsn(1), Duration.ofSeconds(1));
		store.record("b", new Lsn(2), Duration.ofSeconds(1));
		now.set(Duration.ofMillis(500).toNanos());
		store.record("a", new Lsn(3), Duration.ofSeconds(1));
		now.set(Duration.ofMillis(1_200).toNanos());
		store.record("c", new Lsn(4), Duration.ofSeconds(1));
		assertThat(store.size()).isEqualTo(2);
		assertThat(store.find("a")).isEqualTo(new Lsn(3));
		assertThat(store.find("b")).isNull();
		now.set(Duration.ofMillis(1_600).toNanos());
		store.record("d", new Lsn(5), Duration.ofSeconds(1));
		assertThat(store.find("a")).isNull();
		assertThat(store.size()).isEqualTo(2);
	}

	@Test
	void aFullStoreOfLiveMarkersDropsTheOldestFirst() {
		AtomicLong now = new AtomicLong();
		MemoryMarkerStore store = new MemoryMarkerStore(100, now::get);
		for (int i = 0; i < 150; i++) {
			store.record("key-" + i, new Lsn(i), Duration.ofSeconds(10));
			now.addAndGet(1_000);
		}
		assertThat(store.size()).isEqualTo(100);
		for (int i = 0; i < 50; i++) {
			assertThat(store.find("key-" + i)).isNull();
		}
		for (int i = 50; i < 150; i++) {
			assertThat(store.find("key-" + i)).isEqualTo(new Lsn(i));
		}
	}

	@Test
	void aFullStoreOfLiveMarkersTakesNewKeysWithoutScanningEveryMarker() {
		// Issue 13, item 9: each new key of a full store scanned all of it (1.4 ms).
		MemoryMarkerStore store = new MemoryMarkerStore();
		for (int i = 0; i < MemoryMarkerStore.DEFAULT_CAPACITY; i++) {
			store.record("key-" + i, new Lsn(i), Duration.ofMinutes(10));
		}
		long start = System.nanoTime();
		for (int i = 0; i < 5_000; i++) {
			store.record("more-" + i, new Lsn(i), Duration.ofMinutes(10));
		}
		// A scan per write takes seconds; without one it takes milliseconds.
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
		assertThat(store.size()).isEqualTo(MemoryMarkerStore.DEFAULT_CAPACITY);
	}

	@Test
	void keepsTheDigestOfAKeyNotTheKey() {
		String key = "k".repeat(8_000);
		this.store.record(key, new Lsn(7), Duration.ofSeconds(10));
		List<KeyDigest> kept = new ArrayList<>();
		this.store.forEachLive((digest, lsn, left) -> kept.add(digest));
		assertThat(kept).containsExactly(KeyDigest.of(key));
		assertThat(KeyDigest.of(key).hex()).hasSize(64);
	}

	@Test
	void anUnknownOutcomeAndTheKnownPositionWrittenSinceAreBothHandedOn() {
		AtomicLong now = new AtomicLong();
		MemoryMarkerStore store = new MemoryMarkerStore(10, now::get);
		store.record("k", ReadConsistency.UNKNOWN, Duration.ofSeconds(5));
		now.set(Duration.ofSeconds(1).toNanos());
		store.record("k", new Lsn(9), Duration.ofSeconds(5));
		List<String> handed = new ArrayList<>();
		store.forEachLive((digest, lsn, left) -> handed.add(lsn + " " + left.toSeconds()));
		assertThat(handed).containsExactlyInAnyOrder("FFFFFFFF/FFFFFFFF 4", "0/9 5");
		now.set(Duration.ofSeconds(5).toNanos());
		assertThat(store.find("k")).isEqualTo(new Lsn(9));
		now.set(Duration.ofSeconds(6).toNanos());
		assertThat(store.find("k")).isNull();
	}

}
