package dev.tandem.consistency;

import dev.tandem.topology.Lsn;
import org.jspecify.annotations.Nullable;

/**
 * What a read must see.
 *
 * @param lsn the WAL position the serving node must have replayed, or {@code null} when
 * only {@link #primary} matters
 * @param primary whether the read must go to the primary (a {@code ttl} marker, a store
 * that cannot be read, or a token beyond the primary's last known position)
 * @param reason why, for logs
 */
public record ReadRequirement(@Nullable Lsn lsn, boolean primary, String reason) {

	/**
	 * A read that needs a node that replayed {@code lsn}.
	 * @param lsn the position
	 * @param reason why
	 * @return the requirement
	 */
	public static ReadRequirement replayed(Lsn lsn, String reason) {
		return new ReadRequirement(lsn, false, reason);
	}

	/**
	 * A read that must go to the primary.
	 * @param reason why
	 * @return the requirement
	 */
	public static ReadRequirement onPrimary(String reason) {
		return new ReadRequirement(null, true, reason);
	}

}
