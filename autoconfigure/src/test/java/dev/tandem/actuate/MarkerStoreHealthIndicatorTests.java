package dev.tandem.actuate;

import java.time.Duration;

import dev.tandem.consistency.FallbackMarkerStore;
import dev.tandem.consistency.MemoryMarkerStore;
import dev.tandem.consistency.SwitchableMarkerStore;
import dev.tandem.wal.Lsn;
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
		SwitchableMarkerStore shared = new SwitchableMarkerStore();
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

}
