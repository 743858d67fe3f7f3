package dev.tandem.routing;

import java.util.ArrayDeque;
import java.util.Deque;

import dev.tandem.ReadZone;
import dev.tandem.consistency.ConsistencyContext;
import dev.tandem.consistency.ConsistencyKeyResolver;
import org.jspecify.annotations.Nullable;

/**
 * What Tandem keeps per thread, taken on the thread that hands work over and put in force
 * on the thread that runs it: the read-your-writes state (see
 * {@link ConsistencyContext}), the zone of {@link ReadZone} and the route of
 * {@link RoutingContext} (a {@code @ReadFromPrimary} method that starts async work). Used
 * by {@link TandemTaskDecorator} and by the context-propagation accessor; applications
 * have no need to.
 */
public final class TandemContext {

	private final ConsistencyContext consistency;

	private final @Nullable String zone;

	private final @Nullable Deque<Route> routes;

	private TandemContext(ConsistencyContext consistency, @Nullable String zone, @Nullable Deque<Route> routes) {
		this.consistency = consistency;
		this.zone = zone;
		this.routes = routes;
	}

	/**
	 * The current thread's context as it is, to {@link #reinstate()} later.
	 * @return the context
	 */
	public static TandemContext current() {
		return new TandemContext(ConsistencyContext.current(), ReadZone.current(), RoutingContext.stack());
	}

	/**
	 * What work handed over by the current thread carries.
	 * @param keys resolves the consistency key now, or {@code null} for the key set in
	 * code only
	 * @return the context
	 */
	public static TandemContext capture(@Nullable ConsistencyKeyResolver keys) {
		Deque<Route> stack = RoutingContext.stack();
		return new TandemContext(ConsistencyContext.capture(keys), ReadZone.current(),
				(stack != null && !stack.isEmpty()) ? new ArrayDeque<>(stack) : null);
	}

	/**
	 * Whether there is nothing to carry.
	 * @return {@code true} when no key, token, commit, zone or route is set
	 */
	public boolean isEmpty() {
		return this.consistency.isEmpty() && this.zone == null && (this.routes == null || this.routes.isEmpty());
	}

	/**
	 * Puts this context in force on the current thread, for work handed over.
	 */
	public void propagate() {
		this.consistency.propagate();
		ReadZone.setCurrent(this.zone);
		// A copy: scopes the work opens must not change the captured stack.
		RoutingContext.replace((this.routes != null) ? new ArrayDeque<>(this.routes) : null);
	}

	/**
	 * Puts this context back exactly as {@link #current()} took it.
	 */
	public void reinstate() {
		this.consistency.reinstate();
		ReadZone.setCurrent(this.zone);
		RoutingContext.replace(this.routes);
	}

	/**
	 * Clears the current thread's context.
	 */
	public static void clear() {
		ConsistencyContext.clear();
		ReadZone.setCurrent(null);
		RoutingContext.replace(null);
	}

	@Override
	public String toString() {
		return "TandemContext [" + this.consistency + ", zone " + this.zone + ", routes " + this.routes + "]";
	}

}
