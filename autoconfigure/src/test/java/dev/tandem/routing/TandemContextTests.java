package dev.tandem.routing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.tandem.ReadZone;
import dev.tandem.consistency.ConsistencyKey;
import dev.tandem.consistency.ReadAfter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TandemTaskDecorator} and {@link TandemContext} on real threads: what
 * the submitting thread has is what the task sees, and the worker thread is left as it
 * was.
 */
class TandemContextTests {

	private static final ExecutorService worker = Executors.newSingleThreadExecutor();

	/** A request's key: the worker's thread has no request. */
	private static final ThreadLocal<String> requestKey = new ThreadLocal<>();

	private final TandemTaskDecorator decorator = new TandemTaskDecorator(requestKey::get);

	@AfterAll
	static void stop() {
		worker.shutdownNow();
	}

	@AfterEach
	void clear() {
		TandemContext.clear();
		requestKey.remove();
	}

	@Test
	void theKeyTheResolverGivesAtSubmissionFollowsTheTask() throws Exception {
		requestKey.set("alice");
		assertThat(run(this.decorator.decorate(() -> seen.set(ConsistencyKey.current())))).isEqualTo("alice");
		requestKey.remove();
		assertThat(run(this.decorator.decorate(() -> seen.set(ConsistencyKey.current())))).isNull();
	}

	@Test
	void aKeySetInCodeWinsOverTheResolver() throws Exception {
		requestKey.set("alice");
		Runnable task = ConsistencyKey.callWith("job-7",
				() -> this.decorator.decorate(() -> seen.set(ConsistencyKey.current())));
		assertThat(run(task)).isEqualTo("job-7");
	}

	@Test
	void theZoneAndTheRouteFollowTheTask() throws Exception {
		ReadZone.setCurrent("eu-west");
		Runnable task;
		try (RoutingContext.Scope scope = RoutingContext.open(Route.PRIMARY)) {
			task = this.decorator.decorate(() -> seen.set(ReadZone.current() + " " + RoutingContext.current()));
		}
		assertThat(RoutingContext.current()).isNull();
		assertThat(run(task)).isEqualTo("eu-west PRIMARY");
	}

	@Test
	void theWorkerThreadIsLeftAsItWas() throws Exception {
		ConsistencyKey.runWith("bob", () -> run(this.decorator.decorate(() -> {
			try (RoutingContext.Scope scope = RoutingContext.open(Route.REPLICA)) {
				// A scope left open by a careless task.
				RoutingContext.open(Route.PRIMARY);
			}
		})));
		assertThat(run(() -> seen.set(ConsistencyKey.current() + " " + RoutingContext.current() + " "
				+ ReadZone.current() + " " + ReadAfter.current())))
			.isEqualTo("null null null null");
	}

	@Test
	void anEmptyContextClearsWhatTheWorkerHad() throws Exception {
		// A task that ran undecorated left a key on the worker.
		run(() -> TandemContextTests.setKeyForever("left-over"));
		assertThat(run(this.decorator.decorate(() -> seen.set(ConsistencyKey.current())))).isNull();
	}

	private static final AtomicReference<String> seen = new AtomicReference<>();

	private static String run(Runnable task) {
		seen.set("not run");
		try {
			CompletableFuture.runAsync(task, worker).get(5, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		return seen.get();
	}

	private static void setKeyForever(String key) {
		try {
			ConsistencyKey.callWith(key, () -> TandemContext.capture(null)).propagate();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
