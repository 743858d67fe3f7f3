package dev.tandem.routing;

import java.util.ArrayDeque;
import java.util.Deque;

import org.jspecify.annotations.Nullable;

/**
 * The route chosen for the current thread by annotations or in code. Scopes nest: the
 * innermost wins and the outer one is back in force when it closes.
 *
 * <pre class="code">
 * try (RoutingContext.Scope scope = RoutingContext.open(Route.REPLICA)) {
 *     // statements here run on a standby unless a read-write transaction is active
 * }
 * </pre>
 */
public final class RoutingContext {

	private static final ThreadLocal<@Nullable Deque<Route>> routes = new ThreadLocal<>();

	private RoutingContext() {
	}

	/**
	 * The innermost route of the current thread.
	 * @return the route, or {@code null} when no scope is open
	 */
	public static @Nullable Route current() {
		Deque<Route> stack = routes.get();
		return (stack != null) ? stack.peek() : null;
	}

	/**
	 * The current thread's scopes, as they are: for {@link TandemContext}.
	 * @return the stack, or {@code null}
	 */
	static @Nullable Deque<Route> stack() {
		return routes.get();
	}

	/**
	 * Replaces the current thread's scopes: for {@link TandemContext}.
	 * @param stack the stack, or {@code null} for none
	 */
	static void replace(@Nullable Deque<Route> stack) {
		if (stack != null && !stack.isEmpty()) {
			routes.set(stack);
		}
		else {
			routes.remove();
		}
	}

	/**
	 * Opens a scope with a route on the current thread. Close it on the same thread, in a
	 * try-with-resources block.
	 * @param route the route
	 * @return the scope
	 */
	public static Scope open(Route route) {
		Deque<Route> stack = routes.get();
		if (stack == null) {
			stack = new ArrayDeque<>();
			routes.set(stack);
		}
		stack.push(route);
		return new Scope(stack);
	}

	/**
	 * A route in force until closed. Closing it again does nothing.
	 */
	public static final class Scope implements AutoCloseable {

		private final Deque<Route> stack;

		private boolean closed;

		private Scope(Deque<Route> stack) {
			this.stack = stack;
		}

		@Override
		public void close() {
			if (this.closed) {
				// A second pop would take the outer scope's route.
				return;
			}
			this.closed = true;
			this.stack.pop();
			if (this.stack.isEmpty()) {
				routes.remove();
			}
		}

	}

}
