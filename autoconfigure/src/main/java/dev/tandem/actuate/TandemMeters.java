package dev.tandem.actuate;

/**
 * Names and tags of Tandem's Micrometer meters, in one place. Tag values come from small
 * fixed sets: the nodes of the configured cluster, the servers seen behind its
 * load-balanced endpoints, two targets and seven reasons.
 * <p>
 * Each pool also reports HikariCP's standard {@code hikaricp.*} meters, tagged
 * {@code pool=tandem-writer} or {@code pool=tandem-reader-<host>-<port>}.
 */
public final class TandemMeters {

	/**
	 * Counter of physical connections routed, tagged {@link #TARGET} and {@link #REASON}.
	 */
	public static final String ROUTING_DECISIONS = "tandem.routing.decisions";

	/** Counter of read-only transactions run again after their node was lost. */
	public static final String READ_RETRIES = "tandem.read.retries";

	/**
	 * Counter of role changes seen per node (a promotion, or a former primary back as a
	 * standby), tagged {@link #NODE}.
	 */
	public static final String NODE_ROLE_CHANGES = "tandem.node.role.changes";

	/**
	 * Gauge of a standby's replay lag in seconds, tagged {@link #NODE}; {@code NaN} when
	 * unknown (a primary, an unreachable node).
	 */
	public static final String NODE_LAG = "tandem.node.lag";

	/**
	 * Gauge: the smoothed round trip of a node's checks in seconds; NaN before it is
	 * measured. Tagged with {@link #NODE}.
	 */
	public static final String NODE_ROUND_TRIP = "tandem.node.round-trip";

	/**
	 * Gauge of a standby's replay lag in bytes of WAL behind the primary, tagged
	 * {@link #NODE}; {@code NaN} when unknown.
	 */
	public static final String NODE_LAG_BYTES = "tandem.node.lag.bytes";

	/** Gauge, 1 when the node serves reads as a standby, else 0; tagged {@link #NODE}. */
	public static final String NODE_IN_ROTATION = "tandem.node.in.rotation";

	/**
	 * Gauge of the replay lag in seconds of a server seen behind a load-balanced
	 * endpoint, tagged {@link #NODE} (the endpoint) and {@link #SERVER}; {@code NaN} when
	 * unknown. Registered when the server is first seen.
	 */
	public static final String SERVER_LAG = "tandem.server.lag";

	/**
	 * Gauge, 1 when a server seen behind a load-balanced endpoint serves reads, else 0;
	 * tagged {@link #NODE} and {@link #SERVER}.
	 */
	public static final String SERVER_IN_ROTATION = "tandem.server.in.rotation";

	/** Gauge of the number of standbys that serve reads. */
	public static final String READERS_IN_ROTATION = "tandem.readers.in.rotation";

	/** Tag: the node, {@code host:port} ({@code [v6]:port} for an IPv6 address). */
	public static final String NODE = "node";

	/**
	 * Tag: a server behind a load-balanced endpoint, {@code address:port} as the server
	 * names itself.
	 */
	public static final String SERVER = "server";

	/**
	 * Tag: where a connection went, {@link #TARGET_PRIMARY} or {@link #TARGET_STANDBY}.
	 */
	public static final String TARGET = "target";

	/**
	 * Tag: why a connection went where it went: {@link #REASON_WRITE} for writer
	 * connections, else a read's reason ({@code standby}, {@code target},
	 * {@code no-standby}, {@code primary-down}, and for reads that must see a recent
	 * write {@code consistent-standby} or {@code consistency-primary}).
	 */
	public static final String REASON = "reason";

	/** Value of {@link #TARGET}: the primary (or the writer pool). */
	public static final String TARGET_PRIMARY = "primary";

	/** Value of {@link #TARGET}: a standby. */
	public static final String TARGET_STANDBY = "standby";

	/** Value of {@link #REASON} for connections that went to the writer. */
	public static final String REASON_WRITE = "write";

	private TandemMeters() {
	}

}
