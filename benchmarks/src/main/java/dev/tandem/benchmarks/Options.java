package dev.tandem.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.tandem.benchmarks.checker.ConsistencyChecker;

/**
 * The command's options: {@code --quick} (a smoke run, well under a minute of measuring),
 * {@code --scenarios=overhead,read-your-writes,failover,consistency-checker} (default
 * all) and {@code --output=<folder>} (default the system property
 * {@value #OUTPUT_PROPERTY}, which the pom sets to {@code docs/benchmarks}).
 *
 * @param quick whether to run the short plans
 * @param scenarios the scenarios to run, in the order of {@link #SCENARIOS}
 * @param output the folder the report is written to
 */
record Options(boolean quick, Set<String> scenarios, Path output) {

	static final String OUTPUT_PROPERTY = "tandem.benchmarks.output";

	/** The consistency checker's longer run, after the scenarios. */
	static final String CHECKER = "consistency-checker";

	static final List<String> SCENARIOS = List.of(OverheadScenario.NAME, ReadYourWritesScenario.NAME,
			FailoverScenario.NAME, CHECKER);

	static final String USAGE = "Options: --quick, --scenarios=" + String.join(",", SCENARIOS) + ", --output=<folder>";

	static Options parse(String... args) {
		boolean quick = false;
		Set<String> scenarios = new LinkedHashSet<>(SCENARIOS);
		String output = System.getProperty(OUTPUT_PROPERTY, "docs/benchmarks");
		for (String arg : args) {
			if (arg.equals("--quick")) {
				quick = true;
			}
			else if (arg.startsWith("--scenarios=")) {
				List<String> picked = Arrays.stream(arg.substring("--scenarios=".length()).split(","))
					.map(String::trim)
					.filter((name) -> !name.isEmpty())
					.toList();
				for (String name : picked) {
					if (!SCENARIOS.contains(name)) {
						throw new IllegalArgumentException("Unknown scenario '" + name + "'. " + USAGE);
					}
				}
				if (picked.isEmpty()) {
					throw new IllegalArgumentException("--scenarios names no scenario. " + USAGE);
				}
				scenarios = new LinkedHashSet<>(SCENARIOS);
				scenarios.retainAll(picked);
			}
			else if (arg.startsWith("--output=")) {
				output = arg.substring("--output=".length());
			}
			else {
				throw new IllegalArgumentException("Unknown argument '" + arg + "'. " + USAGE);
			}
		}
		return new Options(quick, Set.copyOf(scenarios), Path.of(output).toAbsolutePath().normalize());
	}

	boolean runs(String scenario) {
		return this.scenarios.contains(scenario);
	}

	Rounds.Plan overheadPlan() {
		return this.quick ? new Rounds.Plan(1, 3, Duration.ofMillis(80), 1)
				: new Rounds.Plan(2, 16, Duration.ofMillis(300), 1);
	}

	Rounds.Plan keyedOverheadPlan() {
		return this.quick ? new Rounds.Plan(1, 3, Duration.ofMillis(80), 1)
				: new Rounds.Plan(2, 48, Duration.ofMillis(300), 1);
	}

	Rounds.Plan readYourWritesPlan() {
		return this.quick ? new Rounds.Plan(1, 3, Duration.ofMillis(300), ReadYourWritesScenario.THREADS)
				: new Rounds.Plan(2, 8, Duration.ofMillis(1000), ReadYourWritesScenario.THREADS);
	}

	Rounds.Plan healthyReadYourWritesPlan() {
		return this.quick ? new Rounds.Plan(1, 2, Duration.ofMillis(250), ReadYourWritesScenario.THREADS)
				: readYourWritesPlan();
	}

	ConsistencyChecker.Settings checkerSettings(long seed) {
		return this.quick ? new ConsistencyChecker.Settings(Duration.ofSeconds(20), 4, seed)
				: new ConsistencyChecker.Settings(Duration.ofSeconds(150), 6, seed);
	}

	FailoverScenario.Plan failoverPlan() {
		return this.quick ? new FailoverScenario.Plan(1, FailoverScenario.CASES, Duration.ofSeconds(3))
				: new FailoverScenario.Plan(5, FailoverScenario.CASES, Duration.ofSeconds(5));
	}

}
