package dev.tandem.benchmarks.checker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tandem.benchmarks.checker.Operation.Type;
import dev.tandem.benchmarks.checker.Violation.Kind;

/**
 * Checks a recorded history. Pure logic: what the clients saw, and what the primary holds
 * at the end.
 * <ul>
 * <li>Read-your-writes: a read returns at least the sequence number of the key's last
 * write that was acknowledged before the read started.</li>
 * <li>Monotonic reads: a read returns at least what any read of the same key that ended
 * before it started returned.</li>
 * <li>No lost writes: every acknowledged write is on the primary at the end.</li>
 * </ul>
 * A failed write proves nothing either way (it may have committed), so it neither raises
 * what later reads must see nor counts as lost.
 */
public final class HistoryChecks {

	/** Operations shown before the offending one. */
	static final int CONTEXT = 12;

	private HistoryChecks() {
	}

	/**
	 * Check a history.
	 * @param operations every operation of every client
	 * @param present for each key, the sequence numbers found on the primary at the end;
	 * {@code null} to skip the lost-write check
	 * @return the violations, in key order then time order
	 */
	public static List<Violation> check(Collection<Operation> operations, Map<String, Set<Long>> present) {
		List<Violation> violations = new ArrayList<>();
		for (List<Operation> history : byKey(operations).values()) {
			checkKey(history, violations);
			if (present != null) {
				checkLost(history, present.getOrDefault(history.get(0).key(), Set.of()), violations);
			}
		}
		return violations;
	}

	private static Map<String, List<Operation>> byKey(Collection<Operation> operations) {
		Map<String, List<Operation>> byKey = new LinkedHashMap<>();
		operations.stream()
			.sorted(Comparator.comparing(Operation::key).thenComparingDouble(Operation::startMillis))
			.forEach((operation) -> byKey.computeIfAbsent(operation.key(), (key) -> new ArrayList<>()).add(operation));
		return byKey;
	}

	/**
	 * Holds each read of a key to the operations that ended before it started: one sweep
	 * over them in the order they ended, as the reads come in the order they started.
	 */
	private static void checkKey(List<Operation> history, List<Violation> violations) {
		List<Operation> byEnd = history.stream().sorted(Comparator.comparingDouble(Operation::endMillis)).toList();
		int ended = 0;
		Operation write = null;
		Operation highestRead = null;
		for (int i = 0; i < history.size(); i++) {
			Operation read = history.get(i);
			if (read.type() != Type.READ || !read.ok()) {
				continue;
			}
			while (ended < byEnd.size() && byEnd.get(ended).endMillis() <= read.startMillis()) {
				Operation earlier = byEnd.get(ended++);
				if (!earlier.ok()) {
					continue;
				}
				if (earlier.type() == Type.WRITE && (write == null || earlier.value() > write.value())) {
					write = earlier;
				}
				if (earlier.type() == Type.READ && (highestRead == null || earlier.value() > highestRead.value())) {
					highestRead = earlier;
				}
			}
			if (write != null && read.value() < write.value()) {
				violations.add(new Violation(Kind.READ_YOUR_WRITES,
						read.key() + ": read " + read.value() + " after write " + write.value() + " was acknowledged",
						context(history, i)));
			}
			else if (highestRead != null && read.value() < highestRead.value()) {
				violations.add(new Violation(Kind.MONOTONIC_READS,
						read.key() + ": read " + read.value() + " after an earlier read saw " + highestRead.value(),
						context(history, i)));
			}
		}
	}

	private static void checkLost(List<Operation> history, Set<Long> present, List<Violation> violations) {
		for (int i = 0; i < history.size(); i++) {
			Operation write = history.get(i);
			if (write.type() == Type.WRITE && write.ok() && !present.contains(write.value())) {
				violations.add(new Violation(Kind.LOST_WRITE,
						write.key() + ": acknowledged write " + write.value() + " is not on the primary at the end",
						context(history, i)));
			}
		}
	}

	private static List<Operation> context(List<Operation> history, int index) {
		return List.copyOf(history.subList(Math.max(0, index - CONTEXT), index + 1));
	}

}
