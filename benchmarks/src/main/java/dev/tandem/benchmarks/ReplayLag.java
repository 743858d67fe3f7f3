package dev.tandem.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.tandem.testkit.PostgresNode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes standbys lag on a schedule: on a background thread, replay is paused on every
 * standby together for {@link #PAUSED}, then runs for {@link #RUNNING}, again and again,
 * until closed. Closing resumes replay everywhere.
 */
final class ReplayLag implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ReplayLag.class);

	static final Duration PAUSED = Duration.ofMillis(300);

	static final Duration RUNNING = Duration.ofMillis(200);

	private static final Duration STOP_WAIT = Duration.ofSeconds(30);

	private final List<PostgresNode> standbys;

	private final CountDownLatch stop = new CountDownLatch(1);

	private final Thread thread;

	private volatile long pausedNanos;

	private volatile long startedNanos;

	private volatile long stoppedNanos;

	private volatile int cycles;

	private volatile @Nullable RuntimeException failure;

	private ReplayLag(List<PostgresNode> standbys) {
		this.standbys = List.copyOf(standbys);
		this.thread = new Thread(this::loop, "bench-replay-lag");
		this.thread.setDaemon(true);
	}

	static ReplayLag start(List<PostgresNode> standbys) {
		ReplayLag lag = new ReplayLag(standbys);
		lag.startedNanos = System.nanoTime();
		lag.thread.start();
		return lag;
	}

	private void loop() {
		try {
			while (this.stop.getCount() > 0) {
				this.standbys.forEach(PostgresNode::pauseReplay);
				long paused = System.nanoTime();
				boolean stopping = this.stop.await(PAUSED.toMillis(), TimeUnit.MILLISECONDS);
				this.standbys.forEach(PostgresNode::resumeReplay);
				this.pausedNanos += System.nanoTime() - paused;
				this.cycles++;
				if (stopping || this.stop.await(RUNNING.toMillis(), TimeUnit.MILLISECONDS)) {
					return;
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			this.failure = ex;
			logger.error("Could not pause or resume replay", ex);
		}
		finally {
			this.standbys.forEach(ReplayLag::resumeQuietly);
		}
	}

	private static void resumeQuietly(PostgresNode standby) {
		try {
			standby.resumeReplay();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not resume replay on {}: {}", standby, ex.getMessage());
		}
	}

	/**
	 * Share of the time from start to close that replay was paused (from the moment every
	 * standby reported it paused until it was resumed).
	 * @return a fraction from 0 to 1
	 */
	double pausedShare() {
		long end = (this.stoppedNanos != 0) ? this.stoppedNanos : System.nanoTime();
		return (double) this.pausedNanos / (end - this.startedNanos);
	}

	int cycles() {
		return this.cycles;
	}

	@Override
	public void close() {
		this.stop.countDown();
		try {
			this.thread.join(STOP_WAIT.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.stoppedNanos = System.nanoTime();
		if (this.thread.isAlive()) {
			throw new IllegalStateException("Replay pauses did not stop within " + STOP_WAIT);
		}
		if (this.failure != null) {
			throw new IllegalStateException("Replay pauses failed", this.failure);
		}
	}

}
