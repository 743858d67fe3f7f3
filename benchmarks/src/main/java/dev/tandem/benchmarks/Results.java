package dev.tandem.benchmarks;

import dev.tandem.benchmarks.checker.CheckerReport;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Everything one run measured, with when and where.
 *
 * @param options the options of the run
 * @param started when it started
 * @param took how long it took
 * @param seed the seed of the round orders
 * @param facts the machine and versions
 * @param candidates every candidate that took part, by name, with what it is
 * @param overhead scenario 1, unless not picked
 * @param readYourWrites scenario 2, unless not picked
 * @param failover scenario 3, unless not picked
 * @param checker the consistency checker's run, unless not picked
 */
record Results(Options options, ZonedDateTime started, Duration took, long seed, MachineFacts facts,
		List<Description> candidates, OverheadScenario.@Nullable Result overhead,
		ReadYourWritesScenario.@Nullable Result readYourWrites, FailoverScenario.@Nullable Result failover,
		@Nullable CheckerReport checker) {

	/**
	 * A candidate's name and what it is.
	 *
	 * @param name the name
	 * @param description what it is
	 */
	record Description(String name, String description) {

	}

}
