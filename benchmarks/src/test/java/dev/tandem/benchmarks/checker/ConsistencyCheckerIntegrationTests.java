package dev.tandem.benchmarks.checker;

import java.time.Duration;

import dev.tandem.benchmarks.checker.Operation.Type;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consistency checker's bounded run, in every build: a real cluster with a
 * synchronous standby, a real Redis, two application instances, and the fault thread.
 *
 * @author Tandem contributors
 */
class ConsistencyCheckerIntegrationTests {

	@Test
	void noReadMissesItsOwnWriteNoReadGoesBackwardsAndNoAcknowledgedWriteIsLostUnderFaults() throws Exception {
		long seed = Long.getLong("tandem.checker.seed", System.nanoTime());
		CheckerReport report = new ConsistencyChecker(new ConsistencyChecker.Settings(Duration.ofSeconds(40), 6, seed))
			.run();
		System.out.println(report.render());
		assertThat(report.violations()).as(report::render).isEmpty();
		// The run must have exercised what it checks.
		assertThat(report.faults()).containsKeys(Faults.Kind.FAILOVER);
		assertThat(report.count((op) -> op.type() == Type.WRITE && op.ok())).isGreaterThan(50);
		assertThat(report.count((op) -> op.type() == Type.READ && op.ok() && op.standby())).isGreaterThan(50);
		assertThat(report.count((op) -> op.tokenOnly() && op.type() == Type.WRITE && op.ok())).isGreaterThan(10);
		assertThat(report.count((op) -> op.tokenOnly() && op.type() == Type.READ && op.ok())).isGreaterThan(10);
	}

}
