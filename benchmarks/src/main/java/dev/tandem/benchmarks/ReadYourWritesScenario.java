package dev.tandem.benchmarks;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

import dev.tandem.consistency.ConsistencyKey;
import dev.tandem.testkit.PostgresCluster;
import org.jspecify.annotations.Nullable;

/**
 * Scenario 2, read-your-writes: cycles of a write and a read of the same key while the
 * standbys lag ({@link ReplayLag}). Each cycle picks one of {@value #KEYS} keys at
 * random, increments the key's sequence number in a read-write transaction, then reads it
 * back with {@code pg_is_in_recovery()} in one statement of a read-only transaction, both
 * under the consistency key {@code <candidate>:user-<key>}. A read that sees a lower
 * number than the write just acknowledged is stale. (Other threads may write the same key
 * in between; they only raise the number, so a stale read is never hidden.)
 * <p>
 * Then the same cycles again with replay running normally, in two {@link Healthy cases}:
 * under the consistency key, and with a causal token only (no key), the write's token
 * carried to the read by a {@link CausalTokenCarrier}.
 */
final class ReadYourWritesScenario {

	static final String NAME = "read-your-writes";

	static final List<String> CANDIDATES = List.of(Candidates.FLOOR, Candidates.SPRING, Candidates.TANDEM_OFF,
			Candidates.TANDEM_TTL, Candidates.TANDEM_LSN);

	static final int KEYS = 1_000;

	static final int THREADS = 4;

	static final int STALE = 0;

	static final int ON_STANDBY = 1;

	private ReadYourWritesScenario() {
	}

	/** The cases run with replay running normally. */
	enum Healthy {

		/** Write and read under the consistency key. */
		KEY("consistency key"),

		/** No key: the read carries the causal token of the write. */
		TOKEN("causal token only");

		private final String label;

		Healthy(String label) {
			this.label = label;
		}

		String label() {
			return this.label;
		}

	}

	/**
	 * The scenario's results.
	 *
	 * @param plan rounds, slice and threads
	 * @param run the rounds
	 * @param pausedShare share of the time replay was paused
	 * @param healthyPlan rounds, slice and threads of the healthy cases
	 * @param healthy the rounds of each healthy case
	 */
	record Result(Rounds.Plan plan, Rounds.Result run, double pausedShare, Rounds.Plan healthyPlan,
			Map<Healthy, Rounds.Result> healthy) {

		long cycles(String candidate) {
			return this.run.operations(candidate);
		}

		long stale(String candidate) {
			return this.run.flagged(candidate, STALE);
		}

		long onStandby(String candidate) {
			return this.run.flagged(candidate, ON_STANDBY);
		}

		long cycles(Healthy healthyCase, String candidate) {
			return this.healthy.get(healthyCase).operations(candidate);
		}

		long stale(Healthy healthyCase, String candidate) {
			return this.healthy.get(healthyCase).flagged(candidate, STALE);
		}

		long onStandby(Healthy healthyCase, String candidate) {
			return this.healthy.get(healthyCase).flagged(candidate, ON_STANDBY);
		}

		Table healthyTable() {
			Table table = new Table("candidate", "case", "cycles", "stale reads", "reads on standbys",
					"µs per cycle (median)", "× floor", "errors");
			for (Healthy healthyCase : Healthy.values()) {
				Rounds.Result rounds = this.healthy.get(healthyCase);
				for (String candidate : rounds.candidates()) {
					table.row(candidate, healthyCase.label(), Long.toString(cycles(healthyCase, candidate)),
							Long.toString(stale(healthyCase, candidate)),
							Stats.percent(onStandby(healthyCase, candidate), cycles(healthyCase, candidate)),
							Stats.format(Stats.median(rounds.micros(candidate)), 0),
							Stats.ratio(Stats.median(rounds.ratios(candidate, Candidates.FLOOR))),
							Long.toString(rounds.errors(candidate)));
				}
			}
			return table;
		}

		Table table() {
			Table table = new Table("candidate", "cycles", "stale reads", "stale share", "reads on standbys",
					"µs per cycle (median)", "× floor", "errors");
			for (String candidate : this.run.candidates()) {
				table.row(candidate, Long.toString(cycles(candidate)), Long.toString(stale(candidate)),
						Stats.percent(stale(candidate), cycles(candidate)),
						Stats.percent(onStandby(candidate), cycles(candidate)),
						Stats.format(Stats.median(this.run.micros(candidate)), 0),
						Stats.ratio(Stats.median(this.run.ratios(candidate, Candidates.FLOOR))),
						Long.toString(this.run.errors(candidate)));
			}
			return table;
		}

		BarChart chart() {
			List<String> candidates = this.run.candidates();
			BarChart chart = new BarChart("Read-your-writes while standbys lag", "% of reads right after a write",
					candidates, List.of("stale reads", "reads served by standbys"),
					(value) -> Stats.format(value, 1) + " %");
			for (int g = 0; g < candidates.size(); g++) {
				String candidate = candidates.get(g);
				long cycles = Math.max(1, cycles(candidate));
				chart.value(g, 0, 100.0 * stale(candidate) / cycles);
				chart.value(g, 1, 100.0 * onStandby(candidate) / cycles);
			}
			return chart;
		}

	}

	/** What a read saw. */
	private record Seen(long sequence, boolean standby) {

	}

	/**
	 * Runs the write-then-read cycles of every candidate in rounds while replay pauses.
	 * @param cluster the cluster
	 * @param candidates the candidates, named as {@link #CANDIDATES}
	 * @param plan rounds, slice and threads
	 * @param healthyPlan rounds, slice and threads of the healthy cases
	 * @param random decides the order of each round
	 * @return the results
	 */
	static Result run(PostgresCluster cluster, List<Candidate> candidates, Rounds.Plan plan, Rounds.Plan healthyPlan,
			Random random) {
		Clusters.prepare(cluster,
				"CREATE TABLE ryw (candidate text, k int, seq bigint NOT NULL, PRIMARY KEY (candidate, k))",
				"INSERT INTO ryw SELECT c, k, 0 FROM unnest(ARRAY['"
						+ String.join("','", candidates.stream().map(Candidate::name).toList())
						+ "']) c, generate_series(0, " + (KEYS - 1) + ") k",
				"ANALYZE ryw");
		ReplayLag lag = ReplayLag.start(cluster.standbys());
		Rounds.Result run;
		try {
			run = Rounds.run(NAME, candidates, plan, ReadYourWritesScenario::cycle, random);
		}
		finally {
			lag.close();
		}
		cluster.awaitReplication(Clusters.REPLICATION_WAIT);
		Map<Healthy, Rounds.Result> healthy = new EnumMap<>(Healthy.class);
		healthy.put(Healthy.KEY,
				Rounds.run(NAME + ", healthy, key", candidates, healthyPlan, ReadYourWritesScenario::cycle, random));
		healthy.put(Healthy.TOKEN, Rounds.run(NAME + ", healthy, token", candidates, healthyPlan,
				ReadYourWritesScenario::tokenCycle, random));
		return new Result(plan, run, lag.pausedShare(), healthyPlan, healthy);
	}

	private static int cycle(Candidate candidate, int thread) throws Exception {
		int k = ThreadLocalRandom.current().nextInt(KEYS);
		String name = candidate.name();
		return ConsistencyKey.callWith(name + ":user-" + k,
				() -> flags(name, k, write(candidate, k), read(candidate, k)));
	}

	private static int tokenCycle(Candidate candidate, int thread) throws Exception {
		int k = ThreadLocalRandom.current().nextInt(KEYS);
		CausalTokenCarrier carrier = new CausalTokenCarrier();
		Long written = carrier.call(() -> write(candidate, k));
		Seen seen = carrier.call(() -> read(candidate, k));
		return flags(candidate.name(), k, written, seen);
	}

	private static @Nullable Long write(Candidate candidate, int k) {
		return candidate.write((jdbc) -> jdbc.queryForObject(
				"UPDATE ryw SET seq = seq + 1 WHERE candidate = ? AND k = ? RETURNING seq", Long.class,
				candidate.name(), k));
	}

	private static @Nullable Seen read(Candidate candidate, int k) {
		return candidate.read(
				(jdbc) -> jdbc.queryForObject("SELECT seq, pg_is_in_recovery() FROM ryw WHERE candidate = ? AND k = ?",
						(rs, row) -> new Seen(rs.getLong(1), rs.getBoolean(2)), candidate.name(), k));
	}

	private static int flags(String name, int k, @Nullable Long written, @Nullable Seen seen) {
		if (written == null || seen == null) {
			throw new IllegalStateException("No row for key " + k + " of " + name);
		}
		return ((seen.sequence() < written) ? 1 << STALE : 0) | (seen.standby() ? 1 << ON_STANDBY : 0);
	}

}
