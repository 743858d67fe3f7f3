package dev.tandem.consistency;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.tandem.topology.Lsn;
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

}
