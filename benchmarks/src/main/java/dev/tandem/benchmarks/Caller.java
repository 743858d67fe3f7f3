package dev.tandem.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One thread that calls one kind of unit of work of one candidate at a steady pace (a
 * call starts every {@link #PACE}, or at once when the previous one took longer) and
 * records every call's start, end and outcome, plus the start of the call in flight.
 */
final class Caller {

	static final Duration PACE = Duration.ofMillis(50);

	private final Candidate candidate;

	private final Runnable work;

	private final Thread thread;

	private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();

	private final CountDownLatch stop = new CountDownLatch(1);

	private final CountDownLatch succeeded = new CountDownLatch(1);

	private volatile long inFlightSince;

	/**
	 * One call.
	 *
	 * @param start {@link System#nanoTime()} at its start
	 * @param end {@link System#nanoTime()} at its end
	 * @param ok whether it succeeded
	 */
	record Call(long start, long end, boolean ok) {

	}

	Caller(Candidate candidate, String kind, Runnable work) {
		this.candidate = candidate;
		this.work = work;
		this.thread = new Thread(this::loop, "bench-failover-" + candidate.name() + "-" + kind);
		this.thread.setDaemon(true);
	}

	Caller start() {
		this.thread.start();
		return this;
	}

	private void loop() {
		try {
			while (this.stop.getCount() > 0) {
				long start = System.nanoTime();
				this.inFlightSince = start;
				boolean ok;
				try {
					this.work.run();
					ok = true;
				}
				catch (RuntimeException ex) {
					ok = false;
				}
				long end = System.nanoTime();
				this.inFlightSince = 0;
				this.calls.add(new Call(start, end, ok));
				if (ok) {
					this.succeeded.countDown();
				}
				long wait = start + PACE.toNanos() - end;
				if (wait > 0 && this.stop.await(wait, TimeUnit.NANOSECONDS)) {
					return;
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Waits for the first successful call.
	 * @param timeout the longest wait
	 * @throws IllegalStateException if none succeeded in time
	 */
	void awaitSuccess(Duration timeout) throws InterruptedException {
		if (!this.succeeded.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new IllegalStateException(this.thread.getName() + " had no successful call within " + timeout);
		}
	}

	/** Asks the thread to stop after the call in flight. */
	void stop() {
		this.stop.countDown();
	}

	/**
	 * Waits for the thread to stop.
	 * @param timeout the longest wait
	 * @return whether it stopped; a call may hang in a pool longer than that
	 */
	boolean join(Duration timeout) throws InterruptedException {
		this.thread.join(timeout.toMillis());
		return !this.thread.isAlive();
	}

	List<Call> calls() {
		return List.copyOf(this.calls);
	}

	/**
	 * The start of the call in flight.
	 * @return its {@link System#nanoTime()}, or 0 when none is
	 */
	long inFlightSince() {
		return this.inFlightSince;
	}

	Candidate candidate() {
		return this.candidate;
	}

}
