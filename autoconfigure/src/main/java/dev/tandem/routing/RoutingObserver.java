package dev.tandem.routing;

import java.sql.Connection;
import java.util.List;

import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;

/**
 * Hears every routing decision and every retry, for metrics and observations. Called on
 * the application's thread for each physical connection: implementations must be cheap
 * and must not throw. Every {@code RoutingObserver} bean hears every decision.
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
	 * A connection, of either side, is about to be handed out: after {@link #readRouted}
	 * or {@link #writeRouted}, with where it went, why, and the node that serves it. The
	 * observer may follow it until it is closed by handing out a wrapper instead.
	 * @param connection the connection
	 * @param target {@link Route#PRIMARY} or {@link Route#REPLICA} (a standby)
	 * @param reason why it went there
	 * @param node the node that serves it, as in the URL (behind a load-balanced
	 * endpoint, the server the connection reached); {@code null} for a connection of the
	 * writer pool, whose node is the host the connection reached
	 * @return {@code connection}, or a wrapper that delegates every call to it
	 */
	default Connection connectionRouted(Connection connection, Route target, RouteReason reason,
			@Nullable HostAndPort node) {
		return connection;
	}

	/**
	 * An outermost read-only transaction failed because its node was lost and runs again.
	 * @param attempt the attempt about to start, from 2
	 * @param failure the failure of the previous attempt
	 */
	default void readRetried(int attempt, Throwable failure) {
	}

	/**
	 * One observer that tells all of {@code observers}, in order.
	 * @param observers the observers
	 * @return {@link #NONE} for none, the observer itself for one, else a composite
	 */
	static RoutingObserver of(List<RoutingObserver> observers) {
		if (observers.isEmpty()) {
			return NONE;
		}
		if (observers.size() == 1) {
			return observers.get(0);
		}
		RoutingObserver[] all = observers.toArray(RoutingObserver[]::new);
		return new RoutingObserver() {

			@Override
			public void readRouted(ReadChoice choice) {
				for (RoutingObserver observer : all) {
					observer.readRouted(choice);
				}
			}

			@Override
			public void writeRouted() {
				for (RoutingObserver observer : all) {
					observer.writeRouted();
				}
			}

			@Override
			public Connection connectionRouted(Connection connection, Route target, RouteReason reason,
					@Nullable HostAndPort node) {
				Connection handedOut = connection;
				for (RoutingObserver observer : all) {
					handedOut = observer.connectionRouted(handedOut, target, reason, node);
				}
				return handedOut;
			}

			@Override
			public void readRetried(int attempt, Throwable failure) {
				for (RoutingObserver observer : all) {
					observer.readRetried(attempt, failure);
				}
			}

		};
	}

}
