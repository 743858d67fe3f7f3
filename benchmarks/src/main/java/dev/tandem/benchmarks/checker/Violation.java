package dev.tandem.benchmarks.checker;

import java.util.List;

/**
 * A broken guarantee, with the history that shows it.
 *
 * @param kind which guarantee
 * @param description what went wrong
 * @param history the operations of the key up to and including the offending one
 */
public record Violation(Kind kind, String description, List<Operation> history) {

	/** The guarantees checked. */
	public enum Kind {

		/** A read missed an acknowledged write of its own key. */
		READ_YOUR_WRITES,

		/** A read of a key saw less than an earlier read of the same key. */
		MONOTONIC_READS,

		/** An acknowledged write is missing from the primary at the end. */
		LOST_WRITE

	}

	String render() {
		StringBuilder text = new StringBuilder(this.kind + ": " + this.description);
		for (Operation operation : this.history) {
			text.append(System.lineSeparator()).append("    ").append(operation);
		}
		return text.toString();
	}

}
