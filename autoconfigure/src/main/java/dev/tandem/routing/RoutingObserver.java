package dev.tandem.routing;

/**
 * Hears every routing decision and every retry, for metrics. Called on the application's
 * thread for each physical connection: implementations must be cheap and must not throw.
 */
public interface RoutingObserver {

	/** Hears nothing. */
	RoutingObserver NONE = new RoutingObserver() {
	};

	/**
	 * A read-only connection was routed.
	 * @param choice where it went and why
	 */
	default void readRouted(ReadChoice choice) {
	}

	/**
	 * A connection went to the writer.
	 */
	default void writeRouted() {
	}

	/**
	 * An outermost read-only transaction failed because its node was lost and runs again.
	 * @param attempt the attempt about to start, from 2
	 * @param failure the failure of the previous attempt
	 */
	default void readRetried(int attempt, Throwable failure) {
	}

}
