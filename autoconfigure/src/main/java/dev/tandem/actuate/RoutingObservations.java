package dev.tandem.actuate;

import java.lang.reflect.Method;
import java.sql.Connection;

import dev.tandem.consistency.ConsistencyMode;
import dev.tandem.jdbc.DelegatingHandler;
import dev.tandem.pool.TandemPools;
import dev.tandem.routing.Route;
import dev.tandem.routing.RouteReason;
import dev.tandem.routing.RoutingObserver;
import dev.tandem.url.HostAndPort;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.datasource.ConnectionProxy;

/**
 * Observes each routed connection ({@link RouteObservationDocumentation#ROUTE}): started
 * when the connection is handed out, stopped when it is closed, so that a trace shows
 * where a transaction (or work without one) ran and why. The parent is the observation
 * current when the connection is handed out (the request's, say).
 * <p>
 * With a no-op registry, or an observation its predicates turn off, the connection is
 * handed out as it is: nothing is allocated.
 */
public final class RoutingObservations implements RoutingObserver {

	private static final DefaultRouteObservationConvention DEFAULT_CONVENTION = new DefaultRouteObservationConvention();

	private final ObservationRegistry registry;

	private final @Nullable RouteObservationConvention convention;

	private final ConsistencyMode mode;

	/**
	 * Creates the observer.
	 * @param registry the registry
	 * @param convention the application's convention, or {@code null} for
	 * {@link DefaultRouteObservationConvention}
	 * @param mode the consistency mode, for every observation
	 */
	public RoutingObservations(ObservationRegistry registry, @Nullable RouteObservationConvention convention,
			ConsistencyMode mode) {
		this.registry = registry;
		this.convention = convention;
		this.mode = mode;
	}

	@Override
	public Connection connectionRouted(Connection connection, Route target, RouteReason reason,
			@Nullable HostAndPort node) {
		if (this.registry.isNoop()) {
			return connection;
		}
		Observation observation = RouteObservationDocumentation.ROUTE.observation(this.convention, DEFAULT_CONVENTION,
				() -> new RouteObservationContext(target, reason, this.mode,
						(node != null) ? node : TandemPools.hostOf(connection)),
				this.registry);
		if (observation.isNoop()) {
			return connection;
		}
		observation.start();
		return DelegatingHandler.proxy(ConnectionProxy.class, new Observed(connection, observation));
	}

	/**
	 * Stops the observation when the connection is closed, once.
	 */
	private static final class Observed extends DelegatingHandler {

		private final Connection target;

		private final Observation observation;

		private boolean stopped;

		Observed(Connection target, Observation observation) {
			this.target = target;
			this.observation = observation;
		}

		@Override
		protected @Nullable Object handle(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
			return switch (method.getName()) {
				case "close" -> {
					close();
					yield null;
				}
				case "getTargetConnection" -> this.target;
				case "toString" -> "Observed connection " + this.target;
				default -> DELEGATE;
			};
		}

		@Override
		protected Object target() {
			return this.target;
		}

		private void close() throws Exception {
			try {
				this.target.close();
			}
			catch (Exception | Error ex) {
				if (!this.stopped) {
					this.observation.error(ex);
				}
				throw ex;
			}
			finally {
				if (!this.stopped) {
					this.stopped = true;
					this.observation.stop();
				}
			}
		}

	}

}
