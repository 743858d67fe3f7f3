package dev.tandem.autoconfigure;

import java.time.Duration;

import dev.tandem.consistency.ConsistencyMode;
import dev.tandem.consistency.MarkerStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the read-your-writes settings against the lag and check settings they depend on.
 */
final class ConsistencySettings {

	private static final Logger logger = LoggerFactory.getLogger(ConsistencySettings.class);

	private ConsistencySettings() {
	}

	/**
	 * A marker must outlive the time a standby may stay in rotation while behind: after
	 * it expires, every standby still in rotation is known to have replayed the write.
	 * @param properties the properties
	 * @throws InvalidConsistencySettingsException when the TTL is too short
	 */
	static void check(TandemProperties properties) {
		TandemProperties.Consistency consistency = properties.getConsistency();
		if (consistency.getMode() == ConsistencyMode.OFF) {
			return;
		}
		Duration maxLag = properties.getReads().getMaxLag();
		Duration interval = properties.getTopology().getCheckInterval();
		Duration least = maxLag.plus(interval.multipliedBy(2));
		if (consistency.getTtl().compareTo(least) < 0) {
			throw new InvalidConsistencySettingsException("tandem.consistency.ttl (" + consistency.getTtl()
					+ ") must be at least tandem.reads.max-lag (" + maxLag
					+ ") plus two tandem.topology.check-interval (2 x " + interval + ") = " + least
					+ ": a standby still in rotation when a marker expires must be known to have replayed its write");
		}
		if (maxLag.isZero()) {
			logger.warn("tandem.reads.max-lag is 0 (no lag limit): read-your-writes holds only while a marker lives "
					+ "(tandem.consistency.ttl {}); after that, a standby that is further behind may serve an older "
					+ "state", consistency.getTtl());
		}
	}

	/**
	 * What a store means for read-your-writes.
	 * @param store the store
	 * @return a short explanation for the startup log
	 */
	static String describe(MarkerStore store) {
		return "memory".equals(store.name()) ? "read-your-writes within this instance only"
				: "read-your-writes across every instance that shares it";
	}

}
