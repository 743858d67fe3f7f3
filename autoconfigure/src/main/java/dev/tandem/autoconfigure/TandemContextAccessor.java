package dev.tandem.autoconfigure;

import dev.tandem.routing.TandemContext;
import io.micrometer.context.ThreadLocalAccessor;
import org.jspecify.annotations.Nullable;

/**
 * Tandem's context (consistency key set in code, causal token, latest commit, zone,
 * route) for Micrometer's context-propagation library: whatever captures a
 * {@code ContextSnapshot} (Spring's {@code ContextPropagatingTaskDecorator},
 * {@code ContextExecutorService}, Reactor's automatic propagation) carries it. Registered
 * through {@code META-INF/services/io.micrometer.context.ThreadLocalAccessor}. A key that
 * comes from the request (principal, header, session) is carried by Tandem's
 * {@code TaskDecorator}, which resolves it; this accessor has no resolver.
 */
public final class TandemContextAccessor implements ThreadLocalAccessor<TandemContext> {

	/** The accessor's key in a context snapshot. */
	public static final String KEY = "dev.tandem.context";

	@Override
	public Object key() {
		return KEY;
	}

	@Override
	public @Nullable TandemContext getValue() {
		TandemContext context = TandemContext.current();
		return context.isEmpty() ? null : context;
	}

	@Override
	public void setValue(TandemContext value) {
		value.propagate();
	}

	@Override
	public void setValue() {
		TandemContext.clear();
	}

	@Override
	public void restore(TandemContext previousValue) {
		previousValue.reinstate();
	}

}
