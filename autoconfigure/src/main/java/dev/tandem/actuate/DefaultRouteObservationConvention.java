package dev.tandem.actuate;

import dev.tandem.actuate.RouteObservationDocumentation.HighCardinalityKeyNames;
import dev.tandem.actuate.RouteObservationDocumentation.LowCardinalityKeyNames;
import dev.tandem.routing.Route;
import dev.tandem.url.HostAndPort;
import io.micrometer.common.KeyValues;

/**
 * Tandem's convention for the observation of a routed connection: named {@value #NAME},
 * with the key values of {@link RouteObservationDocumentation#ROUTE}.
 */
public class DefaultRouteObservationConvention implements RouteObservationConvention {

	/** Name of the observation: also the name of its timer. */
	public static final String NAME = "tandem.route";

	/** Value of {@link HighCardinalityKeyNames#NODE} when the node is not known. */
	public static final String UNKNOWN_NODE = "unknown";

	@Override
	public String getName() {
		return NAME;
	}

	/**
	 * The span name: {@code tandem primary} or {@code tandem standby}.
	 */
	@Override
	public String getContextualName(RouteObservationContext context) {
		return "tandem " + target(context);
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(RouteObservationContext context) {
		return KeyValues.of(LowCardinalityKeyNames.TARGET.withValue(target(context)),
				LowCardinalityKeyNames.REASON.withValue(context.getReason().toString()),
				LowCardinalityKeyNames.MODE.withValue(context.getMode().toString()));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(RouteObservationContext context) {
		HostAndPort node = context.getNode();
		return KeyValues.of(HighCardinalityKeyNames.NODE.withValue((node != null) ? node.toString() : UNKNOWN_NODE));
	}

	private static String target(RouteObservationContext context) {
		return (context.getTarget() == Route.PRIMARY) ? TandemMeters.TARGET_PRIMARY : TandemMeters.TARGET_STANDBY;
	}

}
