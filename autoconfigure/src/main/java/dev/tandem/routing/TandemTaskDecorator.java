package dev.tandem.routing;

import dev.tandem.consistency.ConsistencyKeyResolver;
import org.jspecify.annotations.Nullable;

import org.springframework.core.Ordered;
import org.springframework.core.task.TaskDecorator;

/**
 * Carries Tandem's context ({@link TandemContext}: consistency key, causal token, zone,
 * route) from the thread that submits a task to the thread that runs it. The consistency
 * key is resolved when the task is submitted, so that a key that comes from the request
 * (principal, header, session) follows it. Spring Boot applies every
 * {@code TaskDecorator} bean to its application task executor and task scheduler,
 * composed with the application's own.
 */
public class TandemTaskDecorator implements TaskDecorator, Ordered {

	private final @Nullable ConsistencyKeyResolver keys;

	/**
	 * Creates the decorator.
	 * @param keys the application's consistency key resolver, or {@code null} for keys
	 * set in code only
	 */
	public TandemTaskDecorator(@Nullable ConsistencyKeyResolver keys) {
		this.keys = keys;
	}

	@Override
	public Runnable decorate(Runnable runnable) {
		TandemContext captured = TandemContext.capture(this.keys);
		// Wrapped even when empty: the task starts clean, and what it leaves on the
		// thread (its latest commit) does not reach the thread's next task.
		return () -> {
			TandemContext previous = TandemContext.current();
			captured.propagate();
			try {
				runnable.run();
			}
			finally {
				previous.reinstate();
			}
		};
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
