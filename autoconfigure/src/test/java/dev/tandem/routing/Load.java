package dev.tandem.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * A steady load: threads calling one operation in a loop, a few milliseconds apart,
 * recording when each call started and ended, whether it succeeded, and which node served
 * it.
 */
final class Load implements AutoCloseable {

	private static final Duration PACE = Duration.ofMillis(5);

	private final long paceNanos;

	private final Supplier<ServingNode> operation;

	private final List<Thread> threads = new ArrayList<>();

	private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();

	private volatile boolean running = true;

	Load(String name, int threadCount, Supplier<ServingNode> operation) {
		this(name, threadCount, PACE, operation);
	}

	Load(String name, int threadCount, Duration pace, Supplier<ServingNode> operation) {
		this.paceNanos = pace.toNanos();
		this.operation = operation;
		for (int i = 0; i < threadCount; i++) {
			Thread thread = new Thread(this::loop, name + "-" + i);
			thread.setDaemon(true);
			this.threads.add(thread);
			thread.start();
		}
	}

	private void loop() {
		while (this.running) {
			long start = System.nanoTime();
			try {
				ServingNode node = this.operation.get();
				this.calls.add(new Call(start, System.nanoTime(), node, null));
			}
			catch (RuntimeException ex) {
				this.calls.add(new Call(start, System.nanoTime(), null, ex));
			}
			LockSupport.parkNanos(this.paceNanos);
		}
	}

	List<Call> calls() {
		return List.copyOf(this.calls);
	}

	long count(Predicate<Call> filter) {
		return this.calls.stream().filter(filter).count();
	}

	Optional<Call> first(Predicate<Call> filter) {
		return this.calls.stream().filter(filter).min((a, b) -> Long.compare(a.end(), b.end()));
	}

	@Override
	public void close() throws InterruptedException {
		this.running = false;
		for (Thread thread : this.threads) {
			thread.join(Duration.ofSeconds(30).toMillis());
		}
	}

	/**
	 * One call.
	 *
	 * @param start when it started ({@link System#nanoTime()})
	 * @param end when it returned or threw
	 * @param node the node that served it, when it succeeded
	 * @param failure what it threw, when it failed
	 */
	record Call(long start, long end, @Nullable ServingNode node, @Nullable RuntimeException failure) {

		boolean ok() {
			return this.failure == null;
		}

		Duration duration() {
			return Duration.ofNanos(this.end - this.start);
		}

		boolean failedWith(String sqlState) {
			for (Throwable cause = this.failure; cause != null; cause = cause.getCause()) {
				if (cause instanceof java.sql.SQLException sql && sqlState.equals(sql.getSQLState())) {
					return true;
				}
			}
			return false;
		}

		boolean failedWith(Class<? extends Throwable> type) {
			for (Throwable cause = this.failure; cause != null; cause = cause.getCause()) {
				if (type.isInstance(cause)) {
					return true;
				}
			}
			return false;
		}

	}

}
