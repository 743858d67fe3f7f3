package dev.tandem.actuate;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.tandem.consistency.FallbackMarkerStore;
import dev.tandem.consistency.MarkerStore;
import dev.tandem.consistency.MarkerStoreException;
import dev.tandem.consistency.MemoryMarkerStore;
import dev.tandem.topology.Lsn;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MarkerStoreHealthIndicator}, over a shared store that can be switched
 * off; the behaviour against a real Redis is covered by the integration tests.
 */
class MarkerStoreHealthIndicatorTests {

	@Test
	void aMemoryStoreIsUp() {
		Health health = new MarkerStoreHealthIndicator(new MemoryMarkerStore()).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("store", "memory");
	}

	@Test
	void aSharedStoreThatFailsIsDownUntilItAnswersAgain() {
		Switchable shared = new Switchable();
		FallbackMarkerStore store = new FallbackMarkerStore(shared, new MemoryMarkerStore(), Duration.ZERO,
				Duration.ZERO);
		MarkerStoreHealthIndicator indicator = new MarkerStoreHealthIndicator(store);
		assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
		shared.up.set(false);
		store.record("k", new Lsn(1), Duration.ofSeconds(10));
		Health down = indicator.health();
		assertThat(down.getStatus()).isEqualTo(Status.DOWN);
		assertThat(down.getDetails()).containsEntry("store", "switchable")
			.containsEntry("available", false)
			.containsEntry("fallbackWrites", 1L)
			.containsEntry("error", "switched off");
		shared.up.set(true);
		assertThat(store.find("k")).isEqualTo(new Lsn(1));
		assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
	}

	private static final class Switchable implements MarkerStore {

		final AtomicBoolean up = new AtomicBoolean(true);

		@Override
		public void record(String key, Lsn lsn, Duration ttl) {
			check();
		}

		@Override
		public @Nullable Lsn find(String key) {
			check();
			return null;
		}

		private void check() {
			if (!this.up.get()) {
				throw new MarkerStoreException("switched off", new IllegalStateException());
			}
		}

		@Override
		public String name() {
			return "switchable";
		}

	}

}
