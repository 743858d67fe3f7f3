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
 * failure. The primary is killed; after a fixed outage a standby is promoted and the
 * other standby repointed to it; the callers go on for a while longer. Each trial runs on
 * a fresh cluster.
 */
final class FailoverScenario {

	private static final Logger logger = LoggerFactory.getLogger(FailoverScenario.class);

	static final String NAME = "failover";

	static final List<String> CANDIDATES = List.of(Candidates.MULTI_HOST, Candidates.MULTI_HOST_TUNED,
			Candidates.SPRING, Candidates.TANDEM_OFF, Candidates.FLOOR);

	/** Steady calls of every candidate before the kill. */
	static final Duration STEADY = Duration.ofSeconds(1);

	static final Duration FIRST_SUCCESS_WAIT = Duration.ofSeconds(30);

	/** How long a caller may take to stop before it is left behind (it is a daemon). */
	private static final Duration STOP_WAIT = Duration.ofSeconds(2);

	private FailoverScenario() {
	}

	/**
	 * How the scenario runs.
	 *
	 * @param trials trials, each on a fresh cluster
	 * @param outage time from the kill to the promotion
	 * @param after time the callers go on after the promotion
	 */
	record Plan(int trials, Duration outage, Duration after) {

		String describe() {
			return this.trials + ((this.trials == 1) ? " trial" : " trials") + ", each on a fresh cluster: "
					+ STEADY.toMillis() / 1000.0 + " s of steady calls, primary killed, standby promoted "
					+ this.outage.toMillis() / 1000.0 + " s later, calls go on for " + this.after.toMillis() / 1000.0
					+ " s after the promotion";
		}

	}

	/**
	 * What one candidate saw in one trial; times in seconds, infinity for never.
	 *
	 * @param killToWrite from the primary's death (its kill returned) to the end of the
	 * first successful write issued after it
	 * @param promotionToWrite from the promotion request to that write
	 * @param failedWrites writes that failed after the kill was requested
	 * @param failedReads reads that failed after the kill was requested
	 * @param longestStuck the longest call (write or read) that ended after the kill was
	 * requested, counting one still running at the end with its time so far
	 */
	record Outcome(double killToWrite, double promotionToWrite, long failedWrites, long failedReads,
			double longestStuck) {

	}

	/**
	 * The scenario's results.
	 *
	 * @param plan how it ran
	 * @param outcomes every candidate's outcome of every trial
	 * @param kills how long each kill took, in seconds, until the server was gone
	 * @param promotions how long each promotion took, in seconds, until the node left
	 * recovery
	 */
	record Result(Plan plan, Map<String, List<Outcome>> outcomes, List<Double> kills, List<Double> promotions) {

		List<String> candidates() {
			return List.copyOf(this.outcomes.keySet());
		}

		List<Double> values(String candidate, ToDoubleFunction<Outcome> value) {
			return this.outcomes.get(candidate).stream().map(value::applyAsDouble).toList();
		}

		double median(String candidate, ToDoubleFunction<Outcome> value) {
			return Stats.median(values(candidate, value));
		}

		long recovered(String candidate) {
			return this.outcomes.get(candidate).stream().filter((o) -> Double.isFinite(o.killToWrite())).count();
		}

		Table table() {
			Table table = new Table("candidate", "kill → first write (s)", "promotion → first write (s)",
					"failed writes", "failed reads", "longest stuck call (s)", "trials with a write back");
			for (String candidate : candidates()) {
				table.row(candidate, Stats.medianAndRange(values(candidate, Outcome::killToWrite), 2),
						Stats.medianAndRange(values(candidate, Outcome::promotionToWrite), 2),
						Stats.medianAndRange(values(candidate, (o) -> o.failedWrites()), 0),
						Stats.medianAndRange(values(candidate, (o) -> o.failedReads()), 0),
						Stats.medianAndRange(values(candidate, Outcome::longestStuck), 2),
						recovered(candidate) + " of " + this.outcomes.get(candidate).size());
			}
			return table;
		}

		BarChart chart() {
			List<String> candidates = candidates();
			BarChart chart = new BarChart("Failover: primary killed, standby promoted after the outage",
					"seconds (median over trials)", candidates,
					List.of("kill → first write", "promotion → first write", "longest stuck call"),
					(value) -> Stats.format(value, 2) + " s");
			for (int g = 0; g < candidates.size(); g++) {
				String candidate = candidates.get(g);
				chart.value(g, 0, median(candidate, Outcome::killToWrite));
				chart.value(g, 1, median(candidate, Outcome::promotionToWrite));
				chart.value(g, 2, median(candidate, Outcome::longestStuck));
			}
			return chart;
		}

	}

	/**
	 * Runs every trial.
	 * @param redis the Redis server of the Tandem candidate
	 * @param plan how to run
	 * @param facts receives the PostgreSQL version if no other scenario gave it
	 * @param described receives each candidate's name and description
	 * @return the results
	 */
	static Result run(RedisServer redis, Plan plan, MachineFacts facts, Map<String, String> described)
			throws InterruptedException {
		Map<String, List<Outcome>> outcomes = new LinkedHashMap<>();
		CANDIDATES.forEach((name) -> outcomes.put(name, new ArrayList<>()));
		List<Double> kills = new ArrayList<>();
		List<Double> promotions = new ArrayList<>();
		for (int trial = 1; trial <= plan.trials(); trial++) {
			logger.info("{}: trial {} of {}", NAME, trial, plan.trials());
			try (PostgresCluster cluster = Clusters.start("bench-failover")) {
				if (!facts.asMap().containsKey("PostgreSQL")) {
					facts.postgres(cluster.primary());
				}
				Clusters.prepare(cluster,
						"CREATE TABLE failover_event (id bigserial PRIMARY KEY, candidate text NOT NULL)");
				List<Candidate> candidates = Candidates.create(CANDIDATES, cluster, redis);
				try {
					candidates.forEach((candidate) -> described.putIfAbsent(candidate.name(), candidate.description()));
					Timeline timeline = trial(cluster, candidates, plan, outcomes);
					kills.add((timeline.killed() - timeline.killing()) / 1e9);
					promotions.add((timeline.promoted() - timeline.promoting()) / 1e9);
				}
				finally {
					Candidates.closeAll(candidates);
				}
			}
		}
		return new Result(plan, outcomes, kills, promotions);
	}

	/**
	 * When the failure happened, in {@link System#nanoTime()}.
	 *
	 * @param killing the kill was requested
	 * @param killed the kill returned: the server is gone
	 * @param promoting the promotion was requested
	 * @param promoted the promoted node left recovery
	 * @param end the callers were asked to stop
	 */
	record Timeline(long killing, long killed, long promoting, long promoted, long end) {

	}

	/** Runs one trial and adds each candidate's outcome to {@code outcomes}. */
	private static Timeline trial(PostgresCluster cluster, List<Candidate> candidates, Plan plan,
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
			long killing = System.nanoTime();
			primary.kill();
			long killed = System.nanoTime();
			pause(plan.outage().minusNanos(killed - killing));
			long promoting = System.nanoTime();
			cluster.promote(successor);
			long promoted = System.nanoTime();
			cluster.repointStandbys(successor);
			pause(plan.after().minusNanos(System.nanoTime() - promoting));
			Timeline timeline = new Timeline(killing, killed, promoting, promoted, System.nanoTime());
			callers.forEach((pair) -> {
				pair[0].stop();
				pair[1].stop();
			});
			for (Caller[] pair : callers) {
				outcomes.get(pair[0].candidate().name()).add(outcome(pair[0], pair[1], timeline));
			}
			return timeline;
		}
		finally {
			callers.forEach((pair) -> {
				pair[0].stop();
				pair[1].stop();
			});
			for (Caller[] pair : callers) {
				for (Caller caller : pair) {
					if (!caller.join(STOP_WAIT)) {
						logger.info("{}: a call of {} still hangs; its thread is left to finish on its own", NAME,
								caller.candidate());
					}
				}
			}
		}
	}

	private static Outcome outcome(Caller writer, Caller reader, Timeline timeline) {
		long end = timeline.end();
		long firstWrite = Long.MAX_VALUE;
		for (Caller.Call call : writer.calls()) {
			// Issued once the server was gone: a write issued while it was dying may
			// still
			// have been committed by it.
			if (call.start() >= timeline.killed() && call.ok() && call.end() <= end) {
				firstWrite = Math.min(firstWrite, call.end());
			}
		}
		double longest = Math.max(longest(writer, timeline), longest(reader, timeline));
		return new Outcome(seconds(timeline.killed(), firstWrite), seconds(timeline.promoting(), firstWrite),
				failed(writer, timeline), failed(reader, timeline), longest);
	}

	private static long failed(Caller caller, Timeline timeline) {
		return caller.calls()
			.stream()
			.filter((call) -> call.end() > timeline.killing() && call.end() <= timeline.end() && !call.ok())
			.count();
	}

	private static double longest(Caller caller, Timeline timeline) {
		long end = timeline.end();
		long longest = 0;
		for (Caller.Call call : caller.calls()) {
			if (call.end() > timeline.killing() && call.start() < end) {
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

	/** Waits a fixed time: the schedule of the failure, not a wait for a condition. */
	private static void pause(Duration duration) throws InterruptedException {
		if (!duration.isNegative()) {
			new CountDownLatch(1).await(duration.toNanos(), TimeUnit.NANOSECONDS);
		}
	}

}
