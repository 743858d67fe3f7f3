package dev.tandem.routing;

import java.util.Locale;

/**
 * Why a connection went where it went, as observations report it: one fixed set for the
 * writer and the reader side. Finer than the reasons of the
 * {@code tandem.routing.decisions} meter: it tells writes from {@code @ReadFromPrimary}
 * and work without a transaction, and names what a read had to see.
 */
public enum RouteReason {

	/** A read-write transaction: the primary. */
	WRITE,

	/**
	 * Work outside a transaction that asked for no standby (routing rule 6): the primary.
	 */
	NO_TRANSACTION,

	/**
	 * {@code @ReadFromPrimary}, or a {@link RoutingContext} scope on
	 * {@link Route#PRIMARY}: the primary.
	 */
	READ_FROM_PRIMARY,

	/** Read-only work on an eligible standby (no zone applies to it). */
	READ_ONLY,

	/** Read-only work on an eligible standby of the read's zone. */
	ZONE,

	/**
	 * Read-only work with a zone none of whose standbys is eligible: a standby of another
	 * zone.
	 */
	OTHER_ZONE,

	/**
	 * The read target keeps reads on the primary ({@code primary},
	 * {@code prefer-primary}) or chose it ({@code any}).
	 */
	TARGET,

	/** {@code prefer-standby} found no eligible standby and fell back to the primary. */
	NO_STANDBY,

	/** {@code prefer-primary} found no primary and moved the read to a standby. */
	PRIMARY_DOWN,

	/**
	 * The read had to see a recent write recorded under its consistency key: a standby
	 * that has replayed it, else the primary ({@code ttl} mode, a write of unknown
	 * outcome, or no standby caught up in time).
	 */
	MARKER,

	/**
	 * The read had to see the position of a causal token (sent by the client, or the
	 * request's own write): a standby that has replayed it, else the primary.
	 */
	CAUSAL_TOKEN,

	/**
	 * The marker store could not be read (down, or recovering), so whether the read's key
	 * wrote recently is unknown: the primary.
	 */
	MARKER_STORE;

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
