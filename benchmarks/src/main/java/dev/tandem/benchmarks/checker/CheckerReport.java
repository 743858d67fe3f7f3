package dev.tandem.benchmarks.checker;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import dev.tandem.benchmarks.checker.Operation.Type;

/**
 * What a checker run did and found.
 *
 * @param settings what was run
 * @param operations every operation of every client
 * @param faults faults injected, by kind
 * @param timeline the fault thread's steps
 * @param violations broken guarantees
 * @param elapsedMillis how long the run took, clients and faults
 * @param nearCaches what each instance's near cache of markers did, a line each
 */
public record CheckerReport(ConsistencyChecker.Settings settings, List<Operation> operations,
		Map<Faults.Kind, Integer> faults, List<String> timeline, List<Violation> violations, double elapsedMillis,
		List<String> nearCaches) {

	/** Violations rendered in full, at most this many. */
	static final int SHOWN = 5;

	/**
	 * Operations matching a condition.
	 * @param condition the condition
	 * @return their count
	 */
	public long count(Predicate<Operation> condition) {
		return this.operations.stream().filter(condition).count();
	}

	/**
	 * The closing numbers, and every violation with its history (the first few in full).
	 * @return a text for people
	 */
	public String render() {
		String nl = System.lineSeparator();
		long writes = count((op) -> op.type() == Type.WRITE);
		long acknowledged = count((op) -> op.type() == Type.WRITE && op.ok());
		long reads = count((op) -> op.type() == Type.READ);
		long returned = count((op) -> op.type() == Type.READ && op.ok());
		long onStandbys = count((op) -> op.type() == Type.READ && op.ok() && op.standby());
		StringBuilder text = new StringBuilder();
		text.append(String.format(
				"Consistency checker: %.1f s, %d clients with a key each, %d token-only, 2 instances, seed %d%n",
				this.elapsedMillis / 1000, this.settings.clients(), ConsistencyChecker.TOKEN_CLIENTS,
				this.settings.seed()));
		text.append(String.format(
				"operations: %d writes (%d acknowledged, %d failed), %d reads (%d returned: %d on "
						+ "standbys, %d on the primary; %d failed)%n",
				writes, acknowledged, writes - acknowledged, reads, returned, onStandbys, returned - onStandbys,
				reads - returned));
		long tokenWrites = count((op) -> op.tokenOnly() && op.type() == Type.WRITE);
		long tokenAcknowledged = count((op) -> op.tokenOnly() && op.type() == Type.WRITE && op.ok());
		long tokenReturned = count((op) -> op.tokenOnly() && op.type() == Type.READ && op.ok());
		long tokenOnStandbys = count((op) -> op.tokenOnly() && op.type() == Type.READ && op.ok() && op.standby());
		text.append(String.format(
				"token-only clients (no key; write through one instance, read through the other with the last "
						+ "write's causal token): %d, %d writes (%d acknowledged), %d reads returned (%d on "
						+ "standbys); violations: %d%n",
				ConsistencyChecker.TOKEN_CLIENTS, tokenWrites, tokenAcknowledged, tokenReturned, tokenOnStandbys,
				tokenViolations()));
		text.append("faults injected: ")
			.append(this.faults.entrySet()
				.stream()
				.map((entry) -> entry.getKey().toString().toLowerCase().replace('_', '-') + " " + entry.getValue())
				.collect(Collectors.joining(", ")))
			.append(nl);
		this.nearCaches.forEach((line) -> text.append(line).append(nl));
		text.append(String.format("violations: %d (read-your-writes %d, monotonic reads %d, lost writes %d)%n",
				this.violations.size(), violations(Violation.Kind.READ_YOUR_WRITES),
				violations(Violation.Kind.MONOTONIC_READS), violations(Violation.Kind.LOST_WRITE)));
		text.append("fault timeline:").append(nl);
		this.timeline.forEach((line) -> text.append("  ").append(line).append(nl));
		this.violations.stream().limit(SHOWN).forEach((violation) -> text.append(violation.render()).append(nl));
		if (this.violations.size() > SHOWN) {
			text.append("... and ").append(this.violations.size() - SHOWN).append(" more").append(nl);
		}
		return text.toString();
	}

	/**
	 * Violations of the token-only clients' histories.
	 * @return their count
	 */
	public long tokenViolations() {
		return this.violations.stream()
			.filter((violation) -> violation.history().get(violation.history().size() - 1).tokenOnly())
			.count();
	}

	private long violations(Violation.Kind kind) {
		return this.violations.stream().filter((violation) -> violation.kind() == kind).count();
	}

}
