package dev.tandem.benchmarks;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import dev.tandem.benchmarks.checker.CheckerReport;
import dev.tandem.benchmarks.checker.ConsistencyChecker;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.RedisServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark command: every scenario, every candidate, one run. It starts a Redis
 * server and a testkit cluster (a fresh one per failover trial), runs the scenarios
 * picked by the {@link Options}, and writes the report to the output folder.
 */
public final class Benchmarks {

	private static final Logger logger = LoggerFactory.getLogger(Benchmarks.class);

	private Benchmarks() {
	}

	/**
	 * Runs the benchmarks and writes the report.
	 * @param args {@link Options}
	 * @throws Exception if a scenario cannot run
	 */
	public static void main(String[] args) throws Exception {
		Options options = Options.parse(args);
		Results results = run(options);
		Report.write(results, options.output());
		if (results.checker() != null && !results.checker().violations().isEmpty()) {
			System.err.println("The consistency checker found violations; see the report.");
			System.exit(1);
		}
	}

	/**
	 * Runs the scenarios the options pick.
	 * @param options the options
	 * @return what they measured
	 */
	static Results run(Options options) throws Exception {
		ZonedDateTime started = ZonedDateTime.now();
		long startedNanos = System.nanoTime();
		long seed = new Random().nextLong();
		Random random = new Random(seed);
		Candidates.leaveLoggingAlone();
		MachineFacts facts = MachineFacts.collect();
		Map<String, String> described = new LinkedHashMap<>();
		OverheadScenario.Result overhead = null;
		ReadYourWritesScenario.Result readYourWrites = null;
		FailoverScenario.Result failover = null;
		logger.info("Benchmarks ({}): {}", options.quick() ? "quick" : "full", options.scenarios());
		try (RedisServer redis = RedisServer.builder().name("bench-redis").start()) {
			facts.redis(redis.url());
			if (options.runs(OverheadScenario.NAME) || options.runs(ReadYourWritesScenario.NAME)) {
				Set<String> names = new LinkedHashSet<>();
				if (options.runs(OverheadScenario.NAME)) {
					names.addAll(OverheadScenario.CANDIDATES);
				}
				if (options.runs(ReadYourWritesScenario.NAME)) {
					names.addAll(ReadYourWritesScenario.CANDIDATES);
				}
				try (PostgresCluster cluster = Clusters.start("bench")) {
					facts.postgres(cluster.primary());
					List<Candidate> candidates = Candidates.create(List.copyOf(names), cluster, redis);
					try {
						candidates.forEach((candidate) -> described.put(candidate.name(), candidate.description()));
						Candidates.awaitMarkersTrusted(redis);
						if (options.runs(OverheadScenario.NAME)) {
							overhead = OverheadScenario.run(cluster, pick(candidates, OverheadScenario.CANDIDATES),
									options.overheadPlan(), options.keyedOverheadPlan(), random);
						}
						if (options.runs(ReadYourWritesScenario.NAME)) {
							readYourWrites = ReadYourWritesScenario.run(cluster,
									pick(candidates, ReadYourWritesScenario.CANDIDATES), options.readYourWritesPlan(),
									options.healthyReadYourWritesPlan(), random);
						}
					}
					finally {
						Candidates.closeAll(candidates);
					}
				}
			}
			if (options.runs(FailoverScenario.NAME)) {
				failover = FailoverScenario.run(redis, options.failoverPlan(), facts, described);
			}
		}
		CheckerReport checker = null;
		if (options.runs(Options.CHECKER)) {
			checker = new ConsistencyChecker(options.checkerSettings(random.nextLong())).run();
			System.out.println();
			System.out.print(checker.render());
		}
		facts.put("Load average (1, 5, 15 min) at end", MachineFacts.loadAverage());
		Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
		logger.info("Benchmarks took {} s", took.toSeconds());
		List<Results.Description> candidates = new ArrayList<>();
		described.forEach((name, description) -> candidates.add(new Results.Description(name, description)));
		return new Results(options, started, took, seed, facts, candidates, overhead, readYourWrites, failover,
				checker);
	}

	private static List<Candidate> pick(List<Candidate> candidates, List<String> names) {
		return names.stream()
			.map((name) -> candidates.stream()
				.filter((candidate) -> candidate.name().equals(name))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("No candidate " + name)))
			.toList();
	}

}
