package dev.tandem.actuate;

import dev.tandem.consistency.FallbackMarkerStore;
import dev.tandem.consistency.MarkerStore;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the read-your-writes marker store, from what its last use found (no I/O):
 * {@code DOWN} while a shared store (Redis) fails, which sends reads with a consistency
 * key to the primary and keeps new markers in this instance; {@code UP} otherwise.
 * Details: {@code store}, and for a shared store {@code available},
 * {@code fallbackWrites} and {@code error}.
 */
public final class MarkerStoreHealthIndicator implements HealthIndicator {

	private final MarkerStore store;

	/**
	 * Creates the indicator.
	 * @param store the marker store
	 */
	public MarkerStoreHealthIndicator(MarkerStore store) {
		this.store = store;
	}

	@Override
	public Health health() {
		if (!(this.store instanceof FallbackMarkerStore shared)) {
			return Health.up().withDetail("store", this.store.name()).build();
		}
		Health.Builder health = shared.available() ? Health.up() : Health.down();
		health.withDetail("store", shared.name())
			.withDetail("available", shared.available())
			.withDetail("fallbackWrites", shared.fallbackWrites());
		if (!shared.available() && shared.lastError() != null) {
			health.withDetail("error", shared.lastError());
		}
		return health.build();
	}

}
