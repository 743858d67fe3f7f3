package dev.tandem.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link PrimaryGate}. A waiter runs on a thread of its own and is seen waiting
 * before the gate changes; waits are bounded by generous timeouts that only a broken gate
 * reaches, so no assertion depends on how fast the machine is.
 */
class PrimaryGateTests {

	private static final long WAIT_SECONDS = 10;

	private final PrimaryGate gate = new PrimaryGate();

	@Test
	void aNewGateIsUpWithNoReason() throws InterruptedException {
		assertThat(this.gate.isUp()).isTrue();
		assertThat(this.gate.reason()).isNull();
		assertThat(this.gate.awaitUp()).as("waited").isFalse();
	}

	@Test
	void aGateThatIsDownTellsWhyUntilThePrimaryIsUpAgain() {
		this.gate.primaryDown("no node is a primary");
		assertThat(this.gate.isUp()).isFalse();
		assertThat(this.gate.reason()).isEqualTo("no node is a primary");
		this.gate.primaryUp();
		assertThat(this.gate.isUp()).isTrue();
		assertThat(this.gate.reason()).isNull();
	}

	@Test
	void awaitUpWaitsUntilAPrimaryIsUp() throws Exception {
		this.gate.primaryDown("down");
		CompletableFuture<Boolean> waiter = awaitUp();
		assertThat(waiter).isNotDone();
		this.gate.primaryUp();
		assertThat(waiter.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("waited").isTrue();
	}

	@Test
	void releaseLetsEveryWaiterThroughForGood() throws Exception {
		this.gate.primaryDown("down");
		CompletableFuture<Boolean> first = awaitUp();
		CompletableFuture<Boolean> second = awaitUp();
		this.gate.release();
		assertThat(first.get(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
		assertThat(second.get(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
		assertThat(this.gate.isReleased()).isTrue();
		assertThat(this.gate.awaitUp()).as("a released gate never holds").isFalse();
		assertThat(this.gate.isUp()).as("still down: released is not up").isFalse();
	}

	@Test
	void awaitVerdictEndsWhenACheckThatFinishedAfterTheFailureFindsThePrimaryUp() throws Exception {
		Instant failedAt = Instant.parse("2026-01-01T00:00:10Z");
		CompletableFuture<Boolean> waiter = awaitVerdict(failedAt);
		// A check that finished before the failure saw the old state: no verdict.
		this.gate.primaryUp(failedAt.minusSeconds(1));
		assertThat(waiter).isNotDone();
		this.gate.primaryUp(failedAt.plusMillis(1));
		waiter.get(WAIT_SECONDS, TimeUnit.SECONDS);
	}

	@Test
	void awaitVerdictEndsWhenThePrimaryGoesDown() throws Exception {
		CompletableFuture<Boolean> waiter = awaitVerdict(Instant.now());
		this.gate.primaryDown("the primary stopped answering");
		waiter.get(WAIT_SECONDS, TimeUnit.SECONDS);
		assertThat(this.gate.isUp()).isFalse();
	}

	@Test
	void awaitVerdictEndsAtOnceWhenACheckAlreadySawThePrimaryUpAfterTheFailure() throws InterruptedException {
		Instant failedAt = Instant.parse("2026-01-01T00:00:10Z");
		this.gate.primaryUp(failedAt.plusSeconds(1));
		// A check that finished before that one changes nothing: the latest one counts.
		this.gate.primaryUp(failedAt.minusSeconds(1));
		this.gate.awaitVerdict(failedAt, Duration.ofSeconds(WAIT_SECONDS * 10).toNanos());
	}

	@Test
	void awaitVerdictEndsWhenReleased() throws Exception {
		CompletableFuture<Boolean> waiter = awaitVerdict(Instant.now());
		this.gate.release();
		waiter.get(WAIT_SECONDS, TimeUnit.SECONDS);
	}

	@Test
	void awaitVerdictGivesUpAfterItsTimeout() throws InterruptedException {
		this.gate.awaitVerdict(Instant.now(), 0);
		this.gate.awaitVerdict(Instant.now(), Duration.ofMillis(1).toNanos());
		assertThat(this.gate.isUp()).isTrue();
	}

	private CompletableFuture<Boolean> awaitUp() {
		return waiting(() -> this.gate.awaitUp());
	}

	private CompletableFuture<Boolean> awaitVerdict(Instant failedAt) {
		return waiting(() -> {
			this.gate.awaitVerdict(failedAt, Duration.ofSeconds(WAIT_SECONDS * 10).toNanos());
			return true;
		});
	}

	/**
	 * Runs a wait of the gate on a thread of its own, and returns once that thread waits.
	 */
	private static CompletableFuture<Boolean> waiting(Callable<Boolean> wait) {
		CompletableFuture<Boolean> result = new CompletableFuture<>();
		Thread thread = new Thread(() -> {
			try {
				result.complete(wait.call());
			}
			catch (Exception ex) {
				result.completeExceptionally(ex);
			}
		}, "test-gate-waiter");
		thread.setDaemon(true);
		thread.start();
		await().atMost(Duration.ofSeconds(WAIT_SECONDS))
			.until(() -> result.isDone() || thread.getState() == Thread.State.TIMED_WAITING);
		return result;
	}

}
