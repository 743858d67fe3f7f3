package dev.tandem.consistency;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Read-your-writes for the routing {@code DataSource}: after a write transaction with a
 * consistency key commits, its commit LSN is recorded under the key; a later read with
 * the key requires that LSN. In a web request, the commit LSN also becomes the response's
 * causal token, and a token the client sends is required by the request's reads.
 * <p>
 * A required position that the primary is known to have reached may be waited on, up to
 * the maximum wait, on a standby; one beyond it is only checked once on a standby, so a
 * client cannot make the server wait on purpose. What this instance knows is the highest
 * of the topology's last primary position and every commit LSN and marker it has read: a
 * token of a write through this instance a moment ago is known, though the topology may
 * not have seen the primary reach it yet.
 */
public class ReadConsistency {

	private static final Logger logger = LoggerFactory.getLogger(ReadConsistency.class);

	/**
	 * Recorded under a key whose write has an unknown outcome (the commit failed on the
	 * way, or committed but its position could not be read): the highest LSN there is, so
	 * that stores keep it over any real one until it expires, and reads of the key go to
	 * the primary, which alone is sure to show whether the write happened.
	 */
	static final Lsn UNKNOWN = new Lsn(-1L);

	private final ConsistencyMode mode;

	private final ConsistencyKeyResolver keys;

	private final MarkerStore store;

	private final Duration ttl;

	private final Duration maxWait;

	private final Supplier<@Nullable Lsn> primaryPosition;

	private final String namespace;

	/**
	 * The highest commit LSN and marker this instance has read: positions the primary has
	 * reached. Compared unsigned, as {@link Lsn}s are.
	 */
	private final AtomicLong learned = new AtomicLong();

	/**
	 * Creates the consistency rules.
	 * @param mode how reads with a marker are routed
	 * @param keys resolves the current consistency key
	 * @param store where markers live
	 * @param ttl how long a marker lives
	 * @param maxWait how long a read may wait for a standby to replay its required LSN
	 * @param primaryPosition the primary's last known WAL position (a memory read), for
	 * telling a client's token from the future
	 */
	public ReadConsistency(ConsistencyMode mode, ConsistencyKeyResolver keys, MarkerStore store, Duration ttl,
			Duration maxWait, Supplier<@Nullable Lsn> primaryPosition) {
		this(mode, keys, store, ttl, maxWait, primaryPosition, "");
	}

	/**
	 * Creates the consistency rules, with markers in a namespace.
	 * @param mode how reads with a marker are routed
	 * @param keys resolves the current consistency key
	 * @param store where markers live
	 * @param ttl how long a marker lives
	 * @param maxWait how long a read may wait for a standby to replay its required LSN
	 * @param primaryPosition the primary's last known WAL position (a memory read), for
	 * telling a client's token from the future
	 * @param namespace the application's namespace, which every key is recorded and
	 * looked up with, so that applications sharing a store do not see each other's
	 * markers; empty for none
	 */
	public ReadConsistency(ConsistencyMode mode, ConsistencyKeyResolver keys, MarkerStore store, Duration ttl,
			Duration maxWait, Supplier<@Nullable Lsn> primaryPosition, String namespace) {
		this.mode = mode;
		this.keys = keys;
		this.store = store;
		this.ttl = ttl;
		this.maxWait = maxWait;
		this.primaryPosition = primaryPosition;
		this.namespace = namespace;
	}

	/**
	 * The key under which the store keeps a consistency key's marker: the key itself
	 * without a namespace, else the namespace's length, the namespace and the key, so
	 * that no other pair gives the same text (stores keep only its digest).
	 * @param namespace the namespace, or empty
	 * @param key the consistency key
	 * @return the store key
	 */
	static String storeKey(String namespace, String key) {
		return namespace.isEmpty() ? key : namespace.length() + ":" + namespace + ":" + key;
	}

	/** The digest of the current key in the namespace: all a store keeps of it. */
	private @Nullable KeyDigest resolveKey() {
		String key = this.keys.resolve();
		return (key != null) ? KeyDigest.of(storeKey(this.namespace, key)) : null;
	}

	/**
	 * What the current read must see: the marker of the current key, the causal token of
	 * the current web request and the request's own writes, whichever asks most.
	 * @return the requirement, or {@code null} when the read may go anywhere
	 */
	public @Nullable ReadRequirement requirement() {
		if (this.mode == ConsistencyMode.OFF) {
			return null;
		}
		// The marker first: reading it teaches a position that a token may be at.
		ReadRequirement marker = markerRequirement();
		return stronger(tokenRequirement(), marker);
	}

	/**
	 * The highest WAL position this instance knows the primary has reached: the
	 * topology's last primary position, or a commit LSN or marker read since, whichever
	 * is higher. A memory read.
	 * @return the position
	 */
	Lsn knownPrimaryPosition() {
		Lsn learned = new Lsn(this.learned.get());
		Lsn primary = this.primaryPosition.get();
		return (primary != null && primary.compareTo(learned) > 0) ? primary : learned;
	}

	private void learn(Lsn lsn) {
		if (lsn.equals(UNKNOWN)) {
			return;
		}
		long value = lsn.value();
		if (Long.compareUnsigned(this.learned.get(), value) < 0) {
			this.learned.accumulateAndGet(value,
					(known, seen) -> (Long.compareUnsigned(known, seen) >= 0) ? known : seen);
		}
	}

	private @Nullable ReadRequirement tokenRequirement() {
		CausalTokens tokens = CausalTokens.current();
		if (tokens == null) {
			return null;
		}
		ReadRequirement own = (tokens.ownCommit() != null)
				? required(tokens.ownCommit(), ReadRequirement.Source.CAUSAL_TOKEN, "this request's write") : null;
		Lsn fromClient = tokens.fromClient();
		if (fromClient == null) {
			return own;
		}
		if (fromClient.compareTo(knownPrimaryPosition()) > 0) {
			// Another instance's write a moment ago, or a forged token: never wait on a
			// position the primary is not known to have reached.
			return stronger(own,
					(this.mode == ConsistencyMode.TTL)
							? ReadRequirement.onPrimary(ReadRequirement.Source.CAUSAL_TOKEN,
									"causal token beyond the known primary position (ttl mode)")
							: ReadRequirement.replayedAlready(fromClient, ReadRequirement.Source.CAUSAL_TOKEN,
									"causal token beyond the known primary position"));
		}
		return stronger(own, required(fromClient, ReadRequirement.Source.CAUSAL_TOKEN, "causal token"));
	}

	private ReadRequirement required(Lsn lsn, ReadRequirement.Source source, String reason) {
		return (this.mode == ConsistencyMode.TTL) ? ReadRequirement.onPrimary(source, reason + " (ttl mode)")
				: ReadRequirement.replayed(lsn, source, reason);
	}

	private static @Nullable ReadRequirement stronger(@Nullable ReadRequirement a, @Nullable ReadRequirement b) {
		if (a == null) {
			return b;
		}
		if (b == null || a.primary()) {
			return a;
		}
		if (b.primary()) {
			return b;
		}
		int order = a.lsn().compareTo(b.lsn());
		if (order == 0) {
			// The same position: known reached if either says so.
			return a.waits() ? a : b;
		}
		return (order > 0) ? a : b;
	}

	private @Nullable ReadRequirement markerRequirement() {
		KeyDigest key = resolveKey();
		if (key == null) {
			return null;
		}
		Lsn marker;
		try {
			marker = this.store.find(key);
		}
		catch (MarkersIncompleteException ex) {
			return ReadRequirement.onPrimary(ReadRequirement.Source.MARKER_STORE, "marker store recovering");
		}
		catch (MarkerStoreException ex) {
			// Unknown whether the key wrote recently: the primary has every write.
			return ReadRequirement.onPrimary(ReadRequirement.Source.MARKER_STORE, "marker store unavailable");
		}
		if (marker == null) {
			return null;
		}
		if (marker.equals(UNKNOWN)) {
			return ReadRequirement.onPrimary(ReadRequirement.Source.MARKER, "a recent write's outcome is unknown");
		}
		learn(marker);
		return required(marker, ReadRequirement.Source.MARKER, "recent write");
	}

	/**
	 * Called with each writer connection handed out: inside a read-write transaction,
	 * arranges for the commit LSN to be read on this connection with the commit (or right
	 * after it) and recorded under the consistency key, if any, and in the causal token
	 * of the current work (the request's, else the thread's:
	 * {@link ReadAfter#current()}). Once per transaction.
	 * @param connection the writer connection
	 * @return the connection to hand out: {@code connection}, or one whose
	 * {@code commit()} reads the commit LSN along with the commit
	 */
	public Connection writing(Connection connection) {
		if (this.mode == ConsistencyMode.OFF || !TransactionSynchronizationManager.isSynchronizationActive()
				|| TransactionSynchronizationManager.isCurrentTransactionReadOnly()
				|| TransactionSynchronizationManager.hasResource(this)) {
			return connection;
		}
		KeyDigest key = resolveKey();
		CausalTokens tokens = CausalTokens.current();
		// Every write's position is read, with or without a key or a token: ReadAfter
		// gives it to work that carries it elsewhere (a message).
		TransactionSynchronizationManager.bindResource(this, Boolean.TRUE);
		RecordOnCommit record = new RecordOnCommit(key, tokens, connection);
		TransactionSynchronizationManager.registerSynchronization(record);
		return CommitLsn.recording(connection, record);
	}

	/**
	 * How reads with a marker are routed.
	 * @return the mode
	 */
	public ConsistencyMode mode() {
		return this.mode;
	}

	/**
	 * How long a read may wait for a standby to replay its required LSN.
	 * @return the maximum wait
	 */
	public Duration maxWait() {
		return this.maxWait;
	}

	/**
	 * How long a marker lives.
	 * @return the TTL
	 */
	public Duration ttl() {
		return this.ttl;
	}

	private final class RecordOnCommit implements TransactionSynchronization, CommitLsn.Listener {

		private final @Nullable KeyDigest key;

		private final @Nullable CausalTokens tokens;

		private final Connection connection;

		/** Whether the commit read its position along, and the position it read. */
		private boolean readAlong;

		private @Nullable Lsn committedAt;

		RecordOnCommit(@Nullable KeyDigest key, @Nullable CausalTokens tokens, Connection connection) {
			this.key = key;
			this.tokens = tokens;
			this.connection = connection;
		}

		@Override
		public void committedAt(@Nullable Lsn lsn) {
			this.readAlong = true;
			this.committedAt = lsn;
		}

		@Override
		public void afterCommit() {
			try {
				Lsn lsn = this.readAlong ? this.committedAt : CommitLsn.read(this.connection);
				if (lsn == null) {
					// The server was in recovery: not the primary any more.
					logger.debug("A write committed on a server in recovery; its position is unknown");
					recordUnknown();
					return;
				}
				learn(lsn);
				CausalTokens.recordCommit(this.tokens, lsn);
				if (this.key != null) {
					ReadConsistency.this.store.record(this.key, lsn, ReadConsistency.this.ttl);
					if (logger.isDebugEnabled()) {
						logger.debug("Recorded commit LSN {} under a consistency key in the {} store", lsn,
								ReadConsistency.this.store.name());
					}
				}
			}
			catch (SQLException ex) {
				// Committed, but where? The primary knows.
				logger.debug("Could not read the commit LSN of a write: {}", ex.getMessage());
				recordUnknown();
			}
			catch (RuntimeException ex) {
				logger.warn("Could not record the commit LSN of a write; reads of its key may not see it: {}",
						ex.getMessage());
			}
		}

		@Override
		public void afterCompletion(int status) {
			TransactionSynchronizationManager.unbindResourceIfPossible(ReadConsistency.this);
			if (status == STATUS_UNKNOWN) {
				// The commit failed on the way (a lost connection): it may have happened,
				// and
				// a standby may already show it while another does not.
				recordUnknown();
			}
		}

		private void recordUnknown() {
			// A client that carries only the token must not keep the one of its previous
			// write: the highest position sends its reads to the primary.
			CausalTokens.recordCommit(this.tokens, UNKNOWN);
			if (this.key == null) {
				return;
			}
			try {
				ReadConsistency.this.store.record(this.key, UNKNOWN, ReadConsistency.this.ttl);
				logger.debug("Recorded an unknown outcome under a consistency key: its reads go to the primary");
			}
			catch (RuntimeException ex) {
				logger.warn("Could not record a write of unknown outcome; reads of its key may not see it: {}",
						ex.getMessage());
			}
		}

	}

}
