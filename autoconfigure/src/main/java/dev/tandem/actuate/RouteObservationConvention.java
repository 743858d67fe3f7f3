package dev.tandem.actuate;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and key values of the observation of a routed connection. Define a bean of this
 * type to replace {@link DefaultRouteObservationConvention}, or extend it to add key
 * values.
 */
public interface RouteObservationConvention extends ObservationConvention<RouteObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof RouteObservationContext;
	}

}
