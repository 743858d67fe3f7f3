package dev.tandem.benchmarks.checker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import dev.tandem.benchmarks.checker.Operation.Outcome;
import dev.tandem.benchmarks.checker.Operation.Type;
import dev.tandem.benchmarks.checker.Violation.Kind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link HistoryChecks} against the guarantees' plain definitions, on hand-made and on
 * random histories (overlapping clients, failed operations, stale and backward reads).
 */
class HistoryChecksTests {

	@Test
	void aReadBelowAnAcknowledgedEarlierWriteIsAReadYourWritesViolation() {
		List<Violation> violations = HistoryChecks.check(
				List.of(op(Type.WRITE, 1, 0, 1, true), op(Type.READ, 0, 2, 3, true), op(Type.READ, 1, 4, 5, true)),
				null);
		assertThat(violations).extracting(Violation::kind).containsExactly(Kind.READ_YOUR_WRITES);
	}

	@Test
	void aReadBelowAnEarlierReadIsAMonotonicReadsViolationAndAFailedWriteProvesNothing() {
		List<Violation> violations = HistoryChecks.check(List.of(op(Type.WRITE, 2, 0, 1, false),
				op(Type.READ, 2, 2, 3, true), op(Type.READ, 1, 4, 5, true), op(Type.READ, 0, 4.5, 6, true)), null);
		assertThat(violations).extracting(Violation::kind).containsExactly(Kind.MONOTONIC_READS, Kind.MONOTONIC_READS);
	}

	@Test
	void anOperationStillRunningWhenTheReadStartedDoesNotCount() {
		List<Violation> violations = HistoryChecks
			.check(List.of(op(Type.WRITE, 1, 0, 5, true), op(Type.READ, 0, 2, 3, true)), null);
		assertThat(violations).isEmpty();
	}

	@Test
	void onRandomHistoriesTheChecksFindWhatTheDefinitionsSay() {
		Random random = new Random(42);
		for (int run = 0; run < 300; run++) {
			List<Operation> history = new ArrayList<>();
			for (int client = 0; client < 3; client++) {
				double time = random.nextDouble() * 5;
				for (int n = 0; n < 20; n++) {
					double start = time + random.nextDouble() * 3;
					double end = start + random.nextDouble() * 4;
					Type type = random.nextBoolean() ? Type.WRITE : Type.READ;
					history.add(op(type, random.nextInt(10), start, end, random.nextInt(10) > 0));
					time = random.nextBoolean() ? end : start;
				}
			}
			assertThat(kindsAndDescriptions(HistoryChecks.check(history, Map.of("k", Set.of()))))
				.isEqualTo(kindsAndDescriptions(byDefinition(history)));
		}
	}

	/** Every read against every operation that ended before it started. */
	private static List<Violation> byDefinition(List<Operation> operations) {
		List<Operation> history = operations.stream()
			.sorted(Comparator.comparingDouble(Operation::startMillis))
			.toList();
		List<Violation> violations = new ArrayList<>();
		for (Operation read : history) {
			if (read.type() != Type.READ || !read.ok()) {
				continue;
			}
			long write = -1;
			long earlierRead = -1;
			for (Operation earlier : history) {
				if (earlier.ok() && earlier.endMillis() <= read.startMillis()) {
					if (earlier.type() == Type.WRITE) {
						write = Math.max(write, earlier.value());
					}
					else {
						earlierRead = Math.max(earlierRead, earlier.value());
					}
				}
			}
			if (read.value() < write) {
				violations.add(new Violation(Kind.READ_YOUR_WRITES,
						"k: read " + read.value() + " after write " + write + " was acknowledged", List.of()));
			}
			else if (read.value() < earlierRead) {
				violations.add(new Violation(Kind.MONOTONIC_READS,
						"k: read " + read.value() + " after an earlier read saw " + earlierRead, List.of()));
			}
		}
		for (Operation write : history) {
			if (write.type() == Type.WRITE && write.ok()) {
				violations.add(new Violation(Kind.LOST_WRITE,
						"k: acknowledged write " + write.value() + " is not on the primary at the end", List.of()));
			}
		}
		return violations;
	}

	private static List<String> kindsAndDescriptions(List<Violation> violations) {
		return violations.stream().map((violation) -> violation.kind() + " " + violation.description()).toList();
	}

	private static Operation op(Type type, long value, double start, double end, boolean ok) {
		return new Operation(0, "k", type, value, 0, start, end, ok ? Outcome.OK : Outcome.FAILED, 0, false, null);
	}

}
