package dev.tandem.actuate;

import dev.tandem.routing.ReadChoice;
import dev.tandem.routing.RoutingObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts routing decisions and read retries ({@link TandemMeters#ROUTING_DECISIONS},
 * {@link TandemMeters#READ_RETRIES}). Every counter is created up front, so that counting
 * a decision on the application's thread is an array read and an increment.
 * <p>
 * The target follows from the reason: {@code standby} and {@code primary-down} reads went
 * to a standby; {@code target} and {@code no-standby} reads went to the primary, or to
 * the writer pool when no primary was known.
 */
public final class RoutingMetrics implements RoutingObserver {

	private final Counter writes;

	/** By {@link ReadChoice.Reason#ordinal()}. */
	private final Counter[] reads;

	private final Counter retries;

	/**
	 * Creates the counters in a registry.
	 * @param registry the registry
	 */
	public RoutingMetrics(MeterRegistry registry) {
		this.writes = decisions(registry, TandemMeters.TARGET_PRIMARY, TandemMeters.REASON_WRITE);
		ReadChoice.Reason[] reasons = ReadChoice.Reason.values();
		this.reads = new Counter[reasons.length];
		for (ReadChoice.Reason reason : reasons) {
			this.reads[reason.ordinal()] = decisions(registry, target(reason), reason.toString());
		}
		this.retries = Counter.builder(TandemMeters.READ_RETRIES)
			.description("Read-only transactions run again after their node was lost")
			.register(registry);
	}

	private static Counter decisions(MeterRegistry registry, String target, String reason) {
		return Counter.builder(TandemMeters.ROUTING_DECISIONS)
			.description("Physical connections routed, by target and reason")
			.tag(TandemMeters.TARGET, target)
			.tag(TandemMeters.REASON, reason)
			.register(registry);
	}

	private static String target(ReadChoice.Reason reason) {
		return switch (reason) {
			case STANDBY, ZONE, OTHER_ZONE, PRIMARY_DOWN, CONSISTENT_STANDBY -> TandemMeters.TARGET_STANDBY;
			case TARGET, NO_STANDBY, CONSISTENCY_PRIMARY -> TandemMeters.TARGET_PRIMARY;
		};
	}

	@Override
	public void readRouted(ReadChoice choice) {
		this.reads[choice.reason().ordinal()].increment();
	}

	@Override
	public void writeRouted() {
		this.writes.increment();
	}

	@Override
	public void readRetried(int attempt, Throwable failure) {
		this.retries.increment();
	}

}
