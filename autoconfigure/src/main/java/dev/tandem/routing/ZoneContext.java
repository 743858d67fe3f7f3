package dev.tandem.routing;

import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;

/**
 * The zone set for the current work (by {@code dev.tandem.ReadZone} or a request's zone
 * header), on the current thread.
 */
public final class ZoneContext {

	private static final ThreadLocal<@Nullable String> zone = new ThreadLocal<>();

	private ZoneContext() {
	}

	/**
	 * The zone set for the current work.
	 * @return the zone, or {@code null}
	 */
	public static @Nullable String current() {
		return zone.get();
	}

	/**
	 * Runs work with a zone; the previous one is restored after.
	 * @param name the zone, or {@code null} for none
	 * @param work the work
	 */
	public static void runWith(@Nullable String name, Runnable work) {
		String previous = zone.get();
		zone.set(name);
		try {
			work.run();
		}
		finally {
			restore(previous);
		}
	}

	/**
	 * Runs work with a zone; the previous one is restored after.
	 * @param <T> the result type
	 * @param name the zone, or {@code null} for none
	 * @param work the work
	 * @return the work's result
	 * @throws Exception what the work throws
	 */
	public static <T> T callWith(@Nullable String name, Callable<T> work) throws Exception {
		String previous = zone.get();
		zone.set(name);
		try {
			return work.call();
		}
		finally {
			restore(previous);
		}
	}

	private static void restore(@Nullable String previous) {
		if (previous != null) {
			zone.set(previous);
		}
		else {
			zone.remove();
		}
	}

}
