package dev.tandem.actuate;

import dev.tandem.consistency.ConsistencyMode;
import dev.tandem.routing.Route;
import dev.tandem.routing.RouteReason;
import dev.tandem.url.HostAndPort;
import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

/**
 * What an observation of one routed connection knows: where it went, why, under which
 * consistency mode, and the node that serves it.
 */
public class RouteObservationContext extends Observation.Context {

	private final Route target;

	private final RouteReason reason;

	private final ConsistencyMode mode;

	private final @Nullable HostAndPort node;

	/**
	 * Creates the context of one routed connection.
	 * @param target {@link Route#PRIMARY} or {@link Route#REPLICA} (a standby)
	 * @param reason why it went there
	 * @param mode the consistency mode
	 * @param node the node that serves it, or {@code null} when not known
	 */
	public RouteObservationContext(Route target, RouteReason reason, ConsistencyMode mode, @Nullable HostAndPort node) {
		this.target = target;
		this.reason = reason;
		this.mode = mode;
		this.node = node;
	}

	/**
	 * Where the connection went.
	 * @return {@link Route#PRIMARY} or {@link Route#REPLICA}
	 */
	public Route getTarget() {
		return this.target;
	}

	/**
	 * Why the connection went there.
	 * @return the reason
	 */
	public RouteReason getReason() {
		return this.reason;
	}

	/**
	 * The consistency mode of read-your-writes.
	 * @return the mode
	 */
	public ConsistencyMode getMode() {
		return this.mode;
	}

	/**
	 * The node that serves the connection: as the URL names it, or behind a load-balanced
	 * endpoint the server the connection reached.
	 * @return the node, or {@code null} when not known
	 */
	public @Nullable HostAndPort getNode() {
		return this.node;
	}

}
