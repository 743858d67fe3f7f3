package dev.tandem.consistency;

import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;

/**
 * Runs a block of work under an explicit consistency key: its writes are recorded under
 * the key, and its reads see every recent write recorded under it, on any instance. For
 * background jobs, message listeners, or any code outside a web request. The key set here
 * wins over every other source of {@link ConsistencyKeyResolver}.
 */
public final class ConsistencyKey {

	private static final ThreadLocal<@Nullable String> current = new ThreadLocal<>();

	private ConsistencyKey() {
	}

	/**
	 * Calls {@code work} with {@code key} as the consistency key of this thread.
	 * @param <T> the result type
	 * @param key the key, for example a user or tenant id
	 * @param work the work
	 * @return what the work returned
	 * @throws Exception what the work threw
	 */
	public static <T> T callWith(String key, Callable<T> work) throws Exception {
		String previous = current.get();
		current.set(requireKey(key));
		try {
			return work.call();
		}
		finally {
			restore(previous);
		}
	}

	/**
	 * Runs {@code work} with {@code key} as the consistency key of this thread.
	 * @param key the key, for example a user or tenant id
	 * @param work the work
	 */
	public static void runWith(String key, Runnable work) {
		String previous = current.get();
		current.set(requireKey(key));
		try {
			work.run();
		}
		finally {
			restore(previous);
		}
	}

	/**
	 * The key set on this thread by {@link #callWith} or {@link #runWith}.
	 * @return the key, or {@code null}
	 */
	public static @Nullable String current() {
		return current.get();
	}

	/**
	 * Sets or clears the key of this thread, unchecked: for {@link ConsistencyContext}.
	 * @param key the key, or {@code null}
	 */
	static void set(@Nullable String key) {
		restore(key);
	}

	private static String requireKey(@Nullable String key) {
		if (key == null || key.isBlank()) {
			throw new IllegalArgumentException("A consistency key must not be null or blank");
		}
		return key;
	}

	private static void restore(@Nullable String previous) {
		if (previous != null) {
			current.set(previous);
		}
		else {
			current.remove();
		}
	}

}
