package dev.tandem.autoconfigure;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.tandem.ReadZone;
import dev.tandem.consistency.ConsistencyKey;
import dev.tandem.routing.TandemContext;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.task.support.ContextPropagatingTaskDecorator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TandemContextAccessor}: registered through the service loader, so that
 * whatever captures a context snapshot (Spring's {@code ContextPropagatingTaskDecorator}
 * here) carries Tandem's context to another thread, and restores that thread after.
 */
class TandemContextAccessorTests {

	private static final ExecutorService worker = Executors.newSingleThreadExecutor();

	private final AtomicReference<String> seen = new AtomicReference<>();

	@AfterAll
	static void stop() {
		worker.shutdownNow();
	}

	@AfterEach
	void clear() {
		TandemContext.clear();
	}

	@Test
	void isRegisteredThroughTheServiceLoader() {
		assertThat(ContextRegistry.getInstance().getThreadLocalAccessors())
			.anyMatch((accessor) -> TandemContextAccessor.KEY.equals(accessor.key()));
	}

	@Test
	void aContextSnapshotCarriesTheKeyAndZoneAndTheWorkerIsClearedAfter() throws Exception {
		ContextPropagatingTaskDecorator decorator = new ContextPropagatingTaskDecorator(
				ContextSnapshotFactory.builder().build());
		ReadZone.setCurrent("eu-west");
		Runnable task = ConsistencyKey.callWith("alice",
				() -> decorator.decorate(() -> this.seen.set(ConsistencyKey.current() + " " + ReadZone.current())));
		CompletableFuture.runAsync(task, worker).get(5, TimeUnit.SECONDS);
		assertThat(this.seen.get()).isEqualTo("alice eu-west");
		CompletableFuture.runAsync(() -> this.seen.set(ConsistencyKey.current() + " " + ReadZone.current()), worker)
			.get(5, TimeUnit.SECONDS);
		assertThat(this.seen.get()).isEqualTo("null null");
	}

}
