package dev.tandem.consistency;

import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;

/**
 * What a read must see.
 *
 * @param lsn the WAL position the serving node must have replayed, or {@code null} when
 * only {@link #primary} matters
 * @param primary whether the read must go to the primary (a {@code ttl} marker, a store
 * that cannot be read)
 * @param waits whether the read may wait, up to the maximum wait, for a standby to replay
 * {@code lsn}: only for a position that the primary is known to have reached; otherwise a
 * standby is asked once, and the primary serves when it has not replayed it
 * @param source what asks for it: a marker, a causal token, or a marker store that could
 * not be read
 * @param reason why, for logs
 */
public record ReadRequirement(@Nullable Lsn lsn, boolean primary, boolean waits, Source source, String reason) {

	/**
	 * What asks a read to see a recent write.
	 */
	public enum Source {

		/**
		 * The marker of the read's consistency key: a recent write (or one of unknown
		 * outcome).
		 */
		MARKER,

		/** A causal token: the client's, or the request's own write. */
		CAUSAL_TOKEN,

		/** The marker store could not be read: whether the key wrote is unknown. */
		MARKER_STORE

	}

	/**
	 * A read that needs a node that replayed {@code lsn}, a position the primary is known
	 * to have reached: a standby may be waited on.
	 * @param lsn the position
	 * @param source what asks for it
	 * @param reason why
	 * @return the requirement
	 */
	public static ReadRequirement replayed(Lsn lsn, Source source, String reason) {
		return new ReadRequirement(lsn, false, true, source, reason);
	}

	/**
	 * A read that needs a node that has already replayed {@code lsn}, a position the
	 * primary is not known to have reached (another instance's write a moment ago, or a
	 * forged token): a standby is asked once, never waited on.
	 * @param lsn the position
	 * @param source what asks for it
	 * @param reason why
	 * @return the requirement
	 */
	public static ReadRequirement replayedAlready(Lsn lsn, Source source, String reason) {
		return new ReadRequirement(lsn, false, false, source, reason);
	}

	/**
	 * A read that must go to the primary.
	 * @param source what asks for it
	 * @param reason why
	 * @return the requirement
	 */
	public static ReadRequirement onPrimary(Source source, String reason) {
		return new ReadRequirement(null, true, false, source, reason);
	}

}
