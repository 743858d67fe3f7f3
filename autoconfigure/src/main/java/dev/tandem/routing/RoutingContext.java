package dev.tandem.routing;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;

/**
 * The route chosen for the current thread by annotations or in code. Scopes nest: the
 * innermost wins and the outer one is restored when it ends.
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
	 * Runs work with a route.
	 * @param <T> the result type
	 * @param route the route
	 * @param work the work
	 * @return the work's result
	 * @throws Exception what the work throws
	 */
	public static <T> T callWith(Route route, Callable<T> work) throws Exception {
		Deque<Route> stack = routes.get();
		if (stack == null) {
			stack = new ArrayDeque<>();
			routes.set(stack);
		}
		stack.push(route);
		try {
			return work.call();
		}
		finally {
			stack.pop();
			if (stack.isEmpty()) {
				routes.remove();
			}
		}
	}

	/**
	 * Runs work with a route.
	 * @param route the route
	 * @param work the work
	 */
	public static void runWith(Route route, Runnable work) {
		try {
			callWith(route, () -> {
				work.run();
				return null;
			});
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
