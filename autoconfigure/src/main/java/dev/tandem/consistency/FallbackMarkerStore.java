package dev.tandem.consistency;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shared store (Redis) with a local fallback. A marker that cannot be written to the
 * shared store is kept in the local one and counted. A marker that cannot be read makes
 * {@link #find} throw, so the read goes to the primary: never a stale read, never a
 * failed request. After a failure the shared store is left alone for a short pause, so
 * that an outage costs one slow call per pause rather than one per request; then normal
 * use resumes by itself. Reads also see the local markers written during an outage.
 * <p>
 * Once the shared store answers again, it may still lack markers: the ones other
 * instances kept locally while they could not reach it (they write locally for a pause
 * after their last failure, even once it is back), and every marker if the store lost its
 * data (a restarted Redis without persistence). So for a grace period (the markers' TTL)
 * after the shared store comes back, {@link #find} throws
 * {@link MarkersIncompleteException} and reads with a key go to the primary: by the end
 * of it, every marker the store may lack has expired. And once the shared store answers
 * again, the markers this instance kept locally are written to it (in the background), so
 * that instances whose grace period ends sooner find them.
 */
public final class FallbackMarkerStore implements MarkerStore, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(FallbackMarkerStore.class);

	private final MarkerStore shared;

	private final MemoryMarkerStore local;

	private final long pauseNanos;

	private final AtomicLong fallbackWrites = new AtomicLong();

	private final long graceNanos;

	private volatile long unavailableUntil;

	private final LongSupplier nanoTime;

	private volatile long incompleteUntil;

	private volatile boolean available = true;

	private volatile @Nullable String lastError;

	/**
	 * Creates the store.
	 * @param shared the shared store
	 * @param local where markers go while the shared store cannot be written
	 * @param pause how long the shared store is left alone after a failure
	 * @param grace how long after the shared store comes back its markers are not trusted
	 * (the markers' TTL)
	 */
	public FallbackMarkerStore(MarkerStore shared, MemoryMarkerStore local, Duration pause, Duration grace) {
		this(shared, local, pause, grace, System::nanoTime);
	}

	/**
	 * Creates the store on a clock of its own.
	 * @param shared the shared store
	 * @param local where markers go while the shared store cannot be written
	 * @param pause how long the shared store is left alone after a failure
	 * @param grace how long after the shared store comes back its markers are not trusted
	 * @param nanoTime the clock, read as {@link System#nanoTime()} is
	 */
	FallbackMarkerStore(MarkerStore shared, MemoryMarkerStore local, Duration pause, Duration grace,
			LongSupplier nanoTime) {
		this.shared = shared;
		this.local = local;
		this.pauseNanos = pause.toNanos();
		this.graceNanos = grace.toNanos();
		this.nanoTime = nanoTime;
		this.incompleteUntil = nanoTime.getAsLong();
	}

	@Override
	public void record(KeyDigest key, Lsn lsn, Duration ttl) {
		if (usable()) {
			try {
				this.shared.record(key, lsn, ttl);
				succeeded();
				return;
			}
			catch (MarkerStoreException ex) {
				failed(ex);
			}
		}
		this.local.record(key, lsn, ttl);
		this.fallbackWrites.incrementAndGet();
	}

	@Override
	public @Nullable Lsn find(KeyDigest key) {
		Lsn local = this.local.find(key);
		if (!usable()) {
			throw new MarkerStoreException(
					"The " + this.shared.name() + " marker store is unavailable: " + this.lastError,
					new IllegalStateException(this.lastError));
		}
		Lsn shared;
		try {
			shared = this.shared.find(key);
			succeeded();
		}
		catch (MarkersIncompleteException ex) {
			// It answered.
			succeeded();
			throw ex;
		}
		catch (MarkerStoreException ex) {
			failed(ex);
			throw ex;
		}
		if (this.nanoTime.getAsLong() - this.incompleteUntil < 0) {
			throw new MarkersIncompleteException("The " + this.shared.name()
					+ " marker store was unavailable less than a marker TTL ago and may lack markers");
		}
		if (local == null) {
			return shared;
		}
		return (shared == null || local.compareTo(shared) > 0) ? local : shared;
	}

	/**
	 * The shared store.
	 * @return the store
	 */
	public MarkerStore shared() {
		return this.shared;
	}

	/**
	 * Closes the shared store, if it holds resources of its own (the near cache's
	 * connection).
	 * @throws Exception when closing fails
	 */
	@Override
	public void close() throws Exception {
		if (this.shared instanceof AutoCloseable closeable) {
			closeable.close();
		}
	}

	private boolean usable() {
		return this.available || this.nanoTime.getAsLong() - this.unavailableUntil >= 0;
	}

	private void succeeded() {
		if (!this.available) {
			this.incompleteUntil = this.nanoTime.getAsLong() + this.graceNanos;
			this.available = true;
			CompletableFuture.runAsync(this::publishLocalMarkers);
			logger.info(
					"The {} marker store is available again; reads with a key go to the primary for {} ms more, "
							+ "until every marker it may lack has expired",
					this.shared.name(), this.graceNanos / 1_000_000);
		}
	}

	private void failed(MarkerStoreException ex) {
		this.lastError = ex.getMessage();
		this.unavailableUntil = this.nanoTime.getAsLong() + this.pauseNanos;
		if (this.available) {
			this.available = false;
			logger.warn("The {} marker store failed; reads with a marker go to the primary and new markers stay in "
					+ "this instance until it is back: {}", this.shared.name(), ex.getMessage());
		}
	}

	private void publishLocalMarkers() {
		AtomicLong published = new AtomicLong();
		try {
			this.local.forEachLive((key, lsn, left) -> {
				this.shared.record(key, lsn, left);
				published.incrementAndGet();
			});
			logger.debug("Wrote {} markers kept locally to the {} marker store", published, this.shared.name());
		}
		catch (MarkerStoreException ex) {
			failed(ex);
		}
	}

	/**
	 * Whether the shared store answered its last use.
	 * @return whether it is available
	 */
	public boolean available() {
		return this.available;
	}

	/**
	 * Why the shared store last failed.
	 * @return the error, or {@code null}
	 */
	public @Nullable String lastError() {
		return this.lastError;
	}

	/**
	 * Markers kept locally because the shared store could not be written.
	 * @return the count
	 */
	public long fallbackWrites() {
		return this.fallbackWrites.get();
	}

	@Override
	public String name() {
		return this.shared.name();
	}

}
