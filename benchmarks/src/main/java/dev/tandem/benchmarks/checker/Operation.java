package dev.tandem.benchmarks.checker;

import org.jspecify.annotations.Nullable;

/**
 * One operation of a client, as the client saw it.
 *
 * @param client the client's number
 * @param key the client's consistency key (one per client; a token-only client's key
 * names its rows but is never bound)
 * @param type write or read
 * @param value for a write, the sequence number it inserted; for a successful read, the
 * highest sequence number it saw
 * @param instance which application instance ran it
 * @param startMillis when it started, in milliseconds since the run started
 * @param endMillis when it returned
 * @param outcome whether it succeeded
 * @param node for a successful read, the port of the node that served it
 * @param standby for a successful read, whether that node was in recovery
 * @param error for a failed operation, what went wrong
 */
public record Operation(int client, String key, Type type, long value, int instance, double startMillis,
		double endMillis, Outcome outcome, int node, boolean standby, @Nullable String error) {

	/** Kinds of operation. */
	public enum Type {

		/** A read-write transaction inserting the next sequence number of the key. */
		WRITE,

		/** A read-only transaction reading the key's highest sequence number. */
		READ

	}

	/** How an operation ended. */
	public enum Outcome {

		/** It returned normally: a write was acknowledged, a read returned a value. */
		OK,

		/** It threw: a write's effect is unknown, a read returned nothing. */
		FAILED

	}

	/**
	 * Whether a token-only client ran it: no consistency key, only the causal token.
	 * @return whether its key starts with {@link ConsistencyChecker#TOKEN_ONLY}
	 */
	public boolean tokenOnly() {
		return this.key.startsWith(ConsistencyChecker.TOKEN_ONLY);
	}

	boolean ok() {
		return this.outcome == Outcome.OK;
	}

	@Override
	public String toString() {
		String where = (this.type == Type.READ && ok())
				? " on " + this.node + (this.standby ? " (standby)" : " (primary)") : "";
		return String.format("%9.1f-%9.1f ms  client %d  instance %d  %-5s %d  %s%s%s", this.startMillis,
				this.endMillis, this.client, this.instance, this.type, this.value, this.outcome, where,
				(this.error != null) ? "  " + this.error : "");
	}

}
