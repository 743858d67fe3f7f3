package dev.tandem.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.testkit.RedisServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 3, failover: every candidate runs one writer and one reader thread
 * ({@link Caller}) against the same cluster at the same time, so all see the same
 * failure. Each {@link Case case} fails the primary its own way: killed, then a standby
 * promoted after a short or a long outage (the other standby repointed to it); or frozen,
 * then thawed, with no promotion. The callers go on for a while after the promotion or
 * the thaw. Each trial runs on a fresh cluster.
 */
final class FailoverScenario {

	private static final Logger logger = LoggerFactory.getLogger(FailoverScenario.class);

	static final String NAME = "failover";

	static final List<String> CANDIDATES = List.of(Candidates.MULTI_HOST, Candidates.MULTI_HOST_TUNED,
			Candidates.SPRING, Candidates.TANDEM_OFF, Candidates.FLOOR);

	/** Primary killed, standby promoted 1 s after the kill was requested. */
	static final Case SHORT_OUTAGE = new Case("1 s outage", Failure.KILL, Duration.ofSeconds(1));

	/** Primary killed, standby promoted 5 s after the kill was requested. */
	static final Case LONG_OUTAGE = new Case("5 s outage", Failure.KILL, Duration.ofSeconds(5));

	/**
	 * Primary frozen for 10 s, then thawed, no promotion: longer than every timeout a
	 * candidate sets on a call (the tuned pool's 2 s, Tandem's 3 s), shorter than the
	 * library defaults (HikariCP's 30 s connection timeout, no socket timeout).
	 */
	static final Case FROZEN_PRIMARY = new Case("10 s freeze", Failure.FREEZE, Duration.ofSeconds(10));

	/** Every case, in the order each round of trials runs them. */
	static final List<Case> CASES = List.of(SHORT_OUTAGE, LONG_OUTAGE, FROZEN_PRIMARY);

	/**
	 * The target: Tandem's median promotion → first write, in seconds, for both
	 * outage lengths.
	 */
	static final double TARGET_PROMOTION_TO_WRITE = 0.25;

	/** Steady calls of every candidate before the failure. */
	static final Duration STEADY = Duration.ofSeconds(1);

	static final Duration FIRST_SUCCESS_WAIT = Duration.ofSeconds(30);

	/** How long the callers may take to stop before they are left behind (daemons). */
	private static final Duration STOP_WAIT = Duration.ofSeconds(2);

	private FailoverScenario() {
	}

	/** What happens to the primary. */
	enum Failure {

		/**
		 * {@code pg_ctl -m immediate stop}; after the case's length a standby is
		 * promoted.
		 */
		KILL,

		/**
		 * {@link PostgresCluster#freeze(PostgresNode) Frozen}: its connections stay open
		 * and nothing answers; after the case's length it is thawed.
		 */
		FREEZE

	}

	/**
	 * One way the primary fails.
	 *
	 * @param label short name for tables, charts and logs
	 * @param failure what happens to the primary
	 * @param length from the kill request to the promotion request, or from the freeze
	 * request to the thaw request
	 */
	record Case(String label, Failure failure, Duration length) {

		String describe() {
			return switch (this.failure) {
				case KILL -> "primary killed, first standby promoted " + seconds(this.length)
						+ " s after the kill was requested";
				case FREEZE -> "primary frozen, thawed " + seconds(this.length)
						+ " s after the freeze was requested, no promotion";
			};
		}

	}

	/**
	 * How the scenario runs.
	 *
	 * @param trials trials of every case, each on a fresh cluster
	 * @param cases the cases; round {@code n} runs trial {@code n} of each in this order,
	 * so that a drift of the shared machine spreads over all cases
	 * @param after time the callers go on after the promotion or the thaw was requested
	 */
	record Plan(int trials, List<Case> cases, Duration after) {

		String describe() {
			return this.trials + ((this.trials == 1) ? " trial" : " trials") + " of every case, each on a fresh "
					+ "cluster, the cases taking turns: " + seconds(STEADY) + " s of steady calls, the failure, "
					+ "then calls go on for " + seconds(this.after)
					+ " s after the promotion or the thaw was requested";
		}

	}

	/**
	 * What one candidate saw in one trial; times in seconds, infinity for never.
	 *
	 * @param failureToWrite from the primary's failure (the kill returned: the server is
	 * gone; or the freeze returned: every process is stopped) to the end of the first
	 * successful write back
	 * @param recoveryToWrite from the promotion or the thaw request to that write
	 * @param failedWrites writes that failed after the failure was requested
	 * @param failedReads reads that failed after the failure was requested
	 * @param longestWrite the longest write that ended after the failure was requested,
	 * counting one still running at the end with its time so far
	 * @param longestRead the same for reads
	 */
	record Outcome(double failureToWrite, double recoveryToWrite, long failedWrites, long failedReads,
			double longestWrite, double longestRead) {

		double longestCall() {
			return Math.max(this.longestWrite, this.longestRead);
		}

	}

	/**
	 * What one case measured.
	 *
	 * @param outcomes every candidate's outcome of every trial
	 * @param failing how long each kill or freeze took, in seconds, until the server was
	 * gone or every process stopped
	 * @param recovering how long each promotion took, in seconds, until the node left
	 * recovery, or each thaw until every process was continued
	 */
	record Measured(Map<String, List<Outcome>> outcomes, List<Double> failing, List<Double> recovering) {

	}

	/**
	 * The scenario's results.
	 *
	 * @param plan how it ran
	 * @param cases what every case measured, in the plan's order
	 */
	record Result(Plan plan, Map<Case, Measured> cases) {

		List<String> candidates() {
			return List.copyOf(this.cases.values().iterator().next().outcomes().keySet());
		}

		Measured measured(Case failureCase) {
			return this.cases.get(failureCase);
		}

		List<Double> values(Case failureCase, String candidate, ToDoubleFunction<Outcome> value) {
			return measured(failureCase).outcomes().get(candidate).stream().map(value::applyAsDouble).toList();
		}

		double median(Case failureCase, String candidate, ToDoubleFunction<Outcome> value) {
			return Stats.median(values(failureCase, candidate, value));
		}

		/**
		 * Trials in which a candidate wrote again.
		 * @param failureCase the case
		 * @param candidate the candidate
		 * @return how many trials had a write back within the trial
		 */
		long recovered(Case failureCase, String candidate) {
			return measured(failureCase).outcomes()
				.get(candidate)
				.stream()
				.filter((o) -> Double.isFinite(o.failureToWrite()))
				.count();
		}

		Table table(Case failureCase) {
			boolean kill = failureCase.failure() == Failure.KILL;
			Table table = new Table("candidate", kill ? "kill → first write (s)" : "freeze → first write (s)",
					kill ? "promotion → first write (s)" : "thaw → first write (s)", "failed writes", "failed reads",
					"longest stuck write (s)", "longest stuck read (s)", "trials with a write back");
			for (String candidate : candidates()) {
				table.row(candidate, Stats.medianAndRange(values(failureCase, candidate, Outcome::failureToWrite), 2),
						Stats.medianAndRange(values(failureCase, candidate, Outcome::recoveryToWrite), 2),
						Stats.medianAndRange(values(failureCase, candidate, (o) -> o.failedWrites()), 0),
						Stats.medianAndRange(values(failureCase, candidate, (o) -> o.failedReads()), 0),
						Stats.medianAndRange(values(failureCase, candidate, Outcome::longestWrite), 2),
						Stats.medianAndRange(values(failureCase, candidate, Outcome::longestRead), 2),
						recovered(failureCase, candidate) + " of "
								+ measured(failureCase).outcomes().get(candidate).size());
			}
			return table;
		}

		/**
		 * Two panels: promotion → first write of the outage cases, with the issue's
		 * target for Tandem, and the longest stuck call of every case.
		 * @return the panels, top first
		 */
		List<BarChart> chart() {
			List<String> candidates = candidates();
			List<Case> outages = this.cases.keySet().stream().filter((c) -> c.failure() == Failure.KILL).toList();
			List<Case> all = List.copyOf(this.cases.keySet());
			BarChart promotion = new BarChart("Failover: promotion → first write", "seconds (median over trials)",
					candidates, labels(outages), (value) -> Stats.format(value, 2) + " s")
				.reference(TARGET_PROMOTION_TO_WRITE, "target for Tandem: " + TARGET_PROMOTION_TO_WRITE + " s");
			BarChart stuck = new BarChart("Failover: longest stuck call (write or read)",
					"seconds (median over trials)", candidates, labels(all), (value) -> Stats.format(value, 2) + " s");
			for (int g = 0; g < candidates.size(); g++) {
				String candidate = candidates.get(g);
				for (int s = 0; s < outages.size(); s++) {
					promotion.value(g, s, median(outages.get(s), candidate, Outcome::recoveryToWrite));
				}
				for (int s = 0; s < all.size(); s++) {
					stuck.value(g, s, median(all.get(s), candidate, Outcome::longestCall));
				}
			}
			return List.of(promotion, stuck);
		}

		private static List<String> labels(List<Case> cases) {
			return cases.stream().map(Case::label).toList();
		}

	}

	/**
	 * Runs every trial of every case.
	 * @param redis the Redis server of the Tandem candidate
	 * @param plan how to run
	 * @param facts receives the PostgreSQL version if no other scenario gave it
	 * @param described receives each candidate's name and description
	 * @return the results
	 */
	static Result run(RedisServer redis, Plan plan, MachineFacts facts, Map<String, String> described)
			throws InterruptedException {
		Map<Case, Measured> cases = new LinkedHashMap<>();
		for (Case failureCase : plan.cases()) {
			Map<String, List<Outcome>> outcomes = new LinkedHashMap<>();
			CANDIDATES.forEach((name) -> outcomes.put(name, new ArrayList<>()));
			cases.put(failureCase, new Measured(outcomes, new ArrayList<>(), new ArrayList<>()));
		}
		for (int trial = 1; trial <= plan.trials(); trial++) {
			for (Case failureCase : plan.cases()) {
				logger.info("{}: {}, trial {} of {}", NAME, failureCase.label(), trial, plan.trials());
				try (PostgresCluster cluster = Clusters.start("bench-failover")) {
					if (!facts.asMap().containsKey("PostgreSQL")) {
						facts.postgres(cluster.primary());
					}
					Clusters.prepare(cluster,
							"CREATE TABLE failover_event (id bigserial PRIMARY KEY, candidate text NOT NULL)");
					List<Candidate> candidates = Candidates.create(CANDIDATES, cluster, redis);
					try {
						candidates
							.forEach((candidate) -> described.putIfAbsent(candidate.name(), candidate.description()));
						Measured measured = cases.get(failureCase);
						Timeline timeline = trial(cluster, candidates, failureCase, plan, measured.outcomes());
						measured.failing().add((timeline.failed() - timeline.failing()) / 1e9);
						measured.recovering().add((timeline.recovered() - timeline.recovering()) / 1e9);
					}
					finally {
						Candidates.closeAll(candidates);
					}
				}
			}
		}
		return new Result(plan, cases);
	}

	/**
	 * When the failure happened, in {@link System#nanoTime()}.
	 *
	 * @param failing the kill or the freeze was requested
	 * @param failed the kill returned (the server is gone) or the freeze returned (every
	 * process of the node is stopped)
	 * @param recovering the promotion or the thaw was requested
	 * @param recovered the promoted node left recovery, or the thaw returned
	 * @param end the callers were asked to stop
	 */
	record Timeline(long failing, long failed, long recovering, long recovered, long end) {

	}

	/** Runs one trial and adds each candidate's outcome to {@code outcomes}. */
	private static Timeline trial(PostgresCluster cluster, List<Candidate> candidates, Case failureCase, Plan plan,
			Map<String, List<Outcome>> outcomes) throws InterruptedException {
		PostgresNode primary = cluster.primary();
		PostgresNode successor = cluster.standbys().get(0);
		List<Caller[]> callers = new ArrayList<>();
		for (Candidate candidate : candidates) {
			Caller writer = new Caller(candidate, "write", () -> candidate
				.write((jdbc) -> jdbc.update("INSERT INTO failover_event (candidate) VALUES (?)", candidate.name())))
				.start();
			Caller reader = new Caller(candidate, "read",
					() -> candidate.read((jdbc) -> jdbc.queryForObject("SELECT pg_is_in_recovery()", Boolean.class)))
				.start();
			callers.add(new Caller[] { writer, reader });
		}
		try {
			for (Caller[] pair : callers) {
				pair[0].awaitSuccess(FIRST_SUCCESS_WAIT);
				pair[1].awaitSuccess(FIRST_SUCCESS_WAIT);
			}
			pause(STEADY);
			long failing = System.nanoTime();
			if (failureCase.failure() == Failure.KILL) {
				primary.kill();
			}
			else {
				cluster.freeze(primary);
			}
			long failed = System.nanoTime();
			pause(failureCase.length().minusNanos(failed - failing));
			long recovering = System.nanoTime();
			if (failureCase.failure() == Failure.KILL) {
				cluster.promote(successor);
			}
			else {
				cluster.thaw(primary);
			}
			long recovered = System.nanoTime();
			if (failureCase.failure() == Failure.KILL) {
				cluster.repointStandbys(successor);
			}
			pause(plan.after().minusNanos(System.nanoTime() - recovering));
			Timeline timeline = new Timeline(failing, failed, recovering, recovered, System.nanoTime());
			callers.forEach((pair) -> {
				pair[0].stop();
				pair[1].stop();
			});
			for (Caller[] pair : callers) {
				outcomes.get(pair[0].candidate().name()).add(outcome(failureCase, pair[0], pair[1], timeline));
			}
			return timeline;
		}
		finally {
			callers.forEach((pair) -> {
				pair[0].stop();
				pair[1].stop();
			});
			// One wait for all: callers stuck in the same dead pool (the floor's, after a
			// kill) would otherwise each add the whole wait to the trial.
			long deadline = System.nanoTime() + STOP_WAIT.toNanos();
			for (Caller[] pair : callers) {
				for (Caller caller : pair) {
					if (!caller.join(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000)))) {
						logger.info("{}: a call of {} still hangs; its thread is left to finish on its own", NAME,
								caller.candidate());
					}
				}
			}
		}
	}

	private static Outcome outcome(Case failureCase, Caller writer, Caller reader, Timeline timeline) {
		long end = timeline.end();
		long firstWrite = Long.MAX_VALUE;
		for (Caller.Call call : writer.calls()) {
			if (call.ok() && call.end() <= end && isWriteBack(failureCase, call, timeline)) {
				firstWrite = Math.min(firstWrite, call.end());
			}
		}
		return new Outcome(seconds(timeline.failed(), firstWrite), seconds(timeline.recovering(), firstWrite),
				failed(writer, timeline), failed(reader, timeline), longest(writer, timeline),
				longest(reader, timeline));
	}

	private static boolean isWriteBack(Case failureCase, Caller.Call call, Timeline timeline) {
		return switch (failureCase.failure()) {
			// Issued once the server was gone: a write issued while it was dying may
			// still have been committed by it.
			case KILL -> call.start() >= timeline.failed();
			// Ended once every process was stopped, so answered after the thaw; a write
			// that waited through the freeze on its open connection is a write back.
			case FREEZE -> call.end() > timeline.failed();
		};
	}

	private static long failed(Caller caller, Timeline timeline) {
		return caller.calls()
			.stream()
			.filter((call) -> call.end() > timeline.failing() && call.end() <= timeline.end() && !call.ok())
			.count();
	}

	private static double longest(Caller caller, Timeline timeline) {
		long end = timeline.end();
		long longest = 0;
		for (Caller.Call call : caller.calls()) {
			if (call.end() > timeline.failing() && call.start() < end) {
				longest = Math.max(longest, Math.min(call.end(), end) - call.start());
			}
		}
		long inFlight = caller.inFlightSince();
		if (inFlight != 0 && inFlight < end) {
			longest = Math.max(longest, end - inFlight);
		}
		return longest / 1e9;
	}

	private static double seconds(long from, long to) {
		return (to == Long.MAX_VALUE) ? Double.POSITIVE_INFINITY : (to - from) / 1e9;
	}

	private static String seconds(Duration duration) {
		return Stats.format(duration.toMillis() / 1000.0, 1);
	}

	/** Waits a fixed time: the schedule of the failure, not a wait for a condition. */
	private static void pause(Duration duration) throws InterruptedException {
		if (!duration.isNegative()) {
			new CountDownLatch(1).await(duration.toNanos(), TimeUnit.NANOSECONDS);
		}
	}

}
