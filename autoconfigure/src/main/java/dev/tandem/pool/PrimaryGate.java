package dev.tandem.pool;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * Whether a primary is known to be up. While it is down, the writer pool makes no
 * connection attempts: its connection maker waits here instead of failing. HikariCP backs
 * off after each failed attempt, doubling up to five seconds, so attempts that fail all
 * through an outage would leave the pool asleep for seconds after the new primary is
 * promoted. Waiting here, the pool connects within milliseconds of the topology seeing
 * the new primary.
 * <p>
 * An attempt that fails while the gate is still up (the primary died a moment ago and no
 * check has seen it yet) waits here too, for the topology's {@link #awaitVerdict verdict}
 * on the primary, instead of failing into HikariCP's back-off.
 */
public final class PrimaryGate {

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private volatile boolean up = true;

	private volatile @Nullable String reason;

	private volatile boolean released;

	/** When the latest check that found the primary up finished. */
	private volatile Instant primarySeenAt = Instant.EPOCH;

	/**
	 * A primary is up (again).
	 */
	public void primaryUp() {
		primaryUp(Instant.now());
	}

	/**
	 * A check that finished at the given time found a primary up.
	 * @param checkedAt when that check finished
	 */
	public void primaryUp(Instant checkedAt) {
		this.lock.lock();
		try {
			if (checkedAt.isAfter(this.primarySeenAt)) {
				this.primarySeenAt = checkedAt;
			}
			this.up = true;
			this.reason = null;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * No primary is up.
	 * @param reason what the topology saw, for error messages
	 */
	public void primaryDown(String reason) {
		this.lock.lock();
		try {
			this.reason = reason;
			this.up = false;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Whether a primary is up, or not known to be down.
	 * @return whether writes may try
	 */
	public boolean isUp() {
		return this.up;
	}

	/**
	 * Why the primary is down, while it is.
	 * @return the reason, or {@code null} while it is up
	 */
	public @Nullable String reason() {
		return this.up ? null : this.reason;
	}

	/**
	 * Waits until a primary is up or the gate is {@link #release() released}.
	 * @return whether it had to wait
	 * @throws InterruptedException when interrupted, as when the pool shuts down
	 */
	boolean awaitUp() throws InterruptedException {
		if (this.up || this.released) {
			return false;
		}
		this.lock.lock();
		try {
			while (!this.up && !this.released) {
				// Bounded, so that a missed signal can never strand the waiter.
				this.changed.await(1, TimeUnit.SECONDS);
			}
		}
		finally {
			this.lock.unlock();
		}
		return true;
	}

	/**
	 * Waits until the topology has judged the primary since a failed connection attempt:
	 * the gate went down, or a check that finished after the failure found a primary up.
	 * @param failedAt when the attempt failed
	 * @param timeoutNanos the longest wait
	 * @throws InterruptedException when interrupted, as when the pool shuts down
	 */
	void awaitVerdict(Instant failedAt, long timeoutNanos) throws InterruptedException {
		long deadline = System.nanoTime() + timeoutNanos;
		this.lock.lock();
		try {
			while (this.up && !this.released && !this.primarySeenAt.isAfter(failedAt)) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return;
				}
				this.changed.awaitNanos(left);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Whether the gate lets every waiter through for good.
	 * @return whether it was {@link #release() released}
	 */
	boolean isReleased() {
		return this.released;
	}

	/**
	 * Lets every waiter through for good: the pool is closing.
	 */
	void release() {
		this.lock.lock();
		try {
			this.released = true;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

}
