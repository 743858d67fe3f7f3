package dev.tandem.routing;

import java.util.Locale;

import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;

/**
 * Where one read-only connection comes from, and why.
 *
 * @param node the node whose read-only pool serves the read, or {@code null} for the
 * writer pool (no primary is known to the topology)
 * @param reason why this node
 */
public record ReadChoice(@Nullable HostAndPort node, Reason reason) {

	/**
	 * Why a read goes where it goes.
	 */
	public enum Reason {

		/** An eligible standby was chosen (no zone applies to the read). */
		STANDBY,

		/** An eligible standby of the read's zone was chosen. */
		ZONE,

		/**
		 * The read has a zone, but none of its standbys is eligible: a standby of another
		 * zone (or of none), nearest first.
		 */
		OTHER_ZONE,

		/**
		 * The read target keeps reads on the primary ({@code primary},
		 * {@code prefer-primary}) or chose it ({@code any}).
		 */
		TARGET,

		/**
		 * {@code prefer-standby} found no eligible standby and fell back to the primary.
		 */
		NO_STANDBY,

		/** {@code prefer-primary} found no primary and moved the read to a standby. */
		PRIMARY_DOWN,

		/**
		 * The read must see a recent write, and this standby has replayed it (known from
		 * the topology or checked on the borrowed connection).
		 */
		CONSISTENT_STANDBY,

		/**
		 * The read must see a recent write that no standby has replayed in time (or a
		 * {@code ttl} marker, or a marker store that cannot be read): the primary.
		 */
		CONSISTENCY_PRIMARY;

		@Override
		public String toString() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

}
