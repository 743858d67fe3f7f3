package dev.tandem.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;

import dev.tandem.consistency.ConsistencyKey;
import dev.tandem.testkit.PostgresCluster;

/**
 * Scenario 1, overhead: read-only transactions ({@code SELECT 1}, and a lookup by random
 * primary key in a table of {@value #ROWS} rows) at 1 and 8 threads, every candidate
 * interleaved in rounds. Every unit of work runs under a consistency key of its thread,
 * so the Tandem candidates with read-your-writes look a marker up for every read (none
 * exists: these keys never write). A third configuration mixes in writes: each unit of
 * work picks one of {@value Query#MIX_KEYS} keys of its thread, and under the first one
 * writes the row before it reads it.
 */
final class OverheadScenario {

	static final String NAME = "overhead";

	static final List<String> CANDIDATES = List.of(Candidates.FLOOR, Candidates.SPRING, Candidates.MULTI_HOST,
			Candidates.MULTI_HOST_TUNED, Candidates.TANDEM_OFF, Candidates.TANDEM_TTL, Candidates.TANDEM_LSN);

	/**
	 * The candidates of the near cache's cost, measured again in rounds of their own: a
	 * round of three slices lies closer in time than one of seven, and more rounds fit.
	 */
	static final List<String> KEYED = List.of(Candidates.TANDEM_OFF, Candidates.TANDEM_TTL, Candidates.TANDEM_LSN);

	static final int ROWS = 10_000;

	static final List<Integer> THREADS = List.of(1, 8);

	/**
	 * Where the issue asks for a profile: Tandem off more than this over Spring's
	 * routing.
	 */
	static final double LIMIT_OVER_SPRING = 1.05;

	/** Where issue 12 asks for a profile: a keyed read more than this over Tandem off. */
	static final double LIMIT_KEYED_OVER_OFF = 1.05;

	private OverheadScenario() {
	}

	/** A read-only statement. */
	enum Query {

		SELECT_1("SELECT 1") {
			@Override
			Object run(Candidate candidate) {
				return candidate.read((jdbc) -> jdbc.queryForObject("SELECT 1", Integer.class));
			}
		},

		LOOKUP("lookup by key") {
			@Override
			Object run(Candidate candidate) {
				return lookup(candidate, 1 + ThreadLocalRandom.current().nextInt(ROWS));
			}
		},

		/**
		 * The lookup under one of {@value #MIX_KEYS} keys of the thread, picked at
		 * random; work under the first of them writes (an {@code UPDATE} of the row, in a
		 * read-write transaction) before it reads, so a tenth of the keys write and the
		 * reads of those keys come right after a write of their key.
		 */
		MIXED("lookup by key, 10 % of keys write") {
			@Override
			Object run(Candidate candidate) throws Exception {
				int key = ThreadLocalRandom.current().nextInt(MIX_KEYS);
				int id = 1 + ThreadLocalRandom.current().nextInt(ROWS);
				return ConsistencyKey.callWith("overhead-mix-" + Thread.currentThread().getId() + "-" + key, () -> {
					if (key == 0) {
						candidate
							.write((jdbc) -> jdbc.update("UPDATE bench_item SET payload = payload WHERE id = ?", id));
					}
					return lookup(candidate, id);
				});
			}
		};

		/** Keys per thread in the {@link #MIXED} configuration; the first one writes. */
		static final int MIX_KEYS = 10;

		private final String label;

		Query(String label) {
			this.label = label;
		}

		String label() {
			return this.label;
		}

		abstract Object run(Candidate candidate) throws Exception;

		private static Object lookup(Candidate candidate, int id) {
			return candidate
				.read((jdbc) -> jdbc.queryForObject("SELECT payload FROM bench_item WHERE id = ?", String.class, id));
		}

	}

	/**
	 * One measured configuration.
	 *
	 * @param query the statement
	 * @param threads threads at once
	 */
	record Config(Query query, int threads) {

		String label() {
			return this.query.label() + ", " + this.threads + ((this.threads == 1) ? " thread" : " threads");
		}

	}

	/**
	 * The scenario's results.
	 *
	 * @param plan rounds and slice (threads vary by configuration)
	 * @param runs each configuration's rounds
	 * @param keyedPlan rounds and slice of the near cache's cost
	 * @param keyedRuns the rounds of {@link #KEYED} alone, per configuration but the mix
	 */
	record Result(Rounds.Plan plan, Map<Config, Rounds.Result> runs, Rounds.Plan keyedPlan,
			Map<Config, Rounds.Result> keyedRuns) {

		List<String> candidates() {
			return this.runs.values().iterator().next().candidates();
		}

		double micros(Config config, String candidate) {
			return Stats.median(this.runs.get(config).micros(candidate));
		}

		List<Double> ratios(Config config, String candidate, String base) {
			return this.runs.get(config).ratios(candidate, base);
		}

		double ratio(Config config, String candidate, String base) {
			return Stats.median(ratios(config, candidate, base));
		}

		long errors() {
			return this.runs.values()
				.stream()
				.mapToLong((run) -> run.candidates().stream().mapToLong(run::errors).sum())
				.sum();
		}

		/**
		 * Every candidate's cost and its ratio to the floor, a column per configuration.
		 */
		Table table() {
			return perConfig((config, candidate) -> Stats.format(micros(config, candidate), 1) + " µs ("
					+ Stats.ratio(ratio(config, candidate, Candidates.FLOOR)) + ")");
		}

		/**
		 * CPU time the calling threads of this JVM spent per transaction: the client side
		 * of each candidate (Spring, pool, routing, driver), without the servers.
		 */
		Table cpuTable() {
			return perConfig((config,
					candidate) -> Stats.format(Stats.median(this.runs.get(config).cpuMicros(candidate)), 1) + " µs");
		}

		/** A row per candidate, a column per configuration. */
		private Table perConfig(BiFunction<Config, String, String> cell) {
			List<Config> configs = List.copyOf(this.runs.keySet());
			List<String> header = new ArrayList<>();
			header.add("candidate");
			configs.forEach((config) -> header.add(config.label()));
			Table table = new Table(header.toArray(String[]::new));
			for (String candidate : candidates()) {
				List<String> row = new ArrayList<>();
				row.add(candidate);
				configs.forEach((config) -> row.add(cell.apply(config, candidate)));
				table.row(row.toArray(String[]::new));
			}
			return table;
		}

		/** Tandem with consistency off over Spring's routing, per configuration. */
		Table tandemOverSpring() {
			Table table = new Table("configuration", "tandem-off / spring-routing (median)", "min–max over rounds");
			this.runs.keySet().forEach((config) -> {
				List<Double> ratios = ratios(config, Candidates.TANDEM_OFF, Candidates.SPRING);
				table.row(config.label(), Stats.ratio(Stats.median(ratios)),
						Stats.format(Stats.min(ratios), 2) + "–" + Stats.format(Stats.max(ratios), 2));
			});
			return table;
		}

		/**
		 * Tandem with a consistency key (near cache on) over Tandem with consistency off,
		 * per configuration but the mix (where keys write, so the two do different work).
		 */
		Table keyedOverOff() {
			Table table = new Table("configuration", "tandem-ttl / tandem-off (median)", "min–max over rounds",
					"tandem-lsn / tandem-off (median)", "min–max over rounds");
			this.keyedRuns.forEach((config, run) -> {
				List<String> row = new ArrayList<>(List.of(config.label()));
				for (String keyed : List.of(Candidates.TANDEM_TTL, Candidates.TANDEM_LSN)) {
					List<Double> ratios = run.ratios(keyed, Candidates.TANDEM_OFF);
					row.add(Stats.ratio(Stats.median(ratios)));
					row.add(Stats.format(Stats.min(ratios), 2) + "–" + Stats.format(Stats.max(ratios), 2));
				}
				table.row(row.toArray(String[]::new));
			});
			return table;
		}

		BarChart chart() {
			List<Config> configs = List.copyOf(this.runs.keySet());
			List<String> candidates = candidates();
			BarChart chart = new BarChart("Overhead: read-only transactions, cost relative to the floor",
					"× floor (median of per-round ratios)", configs.stream().map(Config::label).toList(), candidates,
					(value) -> Stats.format(value, 2));
			for (int g = 0; g < configs.size(); g++) {
				for (int s = 0; s < candidates.size(); s++) {
					chart.value(g, s, ratio(configs.get(g), candidates.get(s), Candidates.FLOOR));
				}
			}
			return chart.reference(1.0, "floor = 1.0");
		}

	}

	/**
	 * Runs every configuration.
	 * @param cluster the cluster
	 * @param candidates the candidates, named as {@link #CANDIDATES}
	 * @param plan rounds and slice; threads are set per configuration
	 * @param keyedPlan rounds and slice of the near cache's cost, {@link #KEYED} alone
	 * @param random decides the order of each round
	 * @return the results
	 */
	static Result run(PostgresCluster cluster, List<Candidate> candidates, Rounds.Plan plan, Rounds.Plan keyedPlan,
			Random random) {
		Clusters.prepare(cluster, "CREATE TABLE bench_item (id int PRIMARY KEY, payload text NOT NULL)",
				"INSERT INTO bench_item SELECT i, md5(i::text) FROM generate_series(1, " + ROWS + ") i",
				"ANALYZE bench_item");
		Map<Config, Rounds.Result> runs = new LinkedHashMap<>();
		Map<Config, Rounds.Result> keyedRuns = new LinkedHashMap<>();
		List<Candidate> keyed = candidates.stream().filter((candidate) -> KEYED.contains(candidate.name())).toList();
		for (Query query : Query.values()) {
			for (int threads : THREADS) {
				Config config = new Config(query, threads);
				Rounds.Work work = (candidate, thread) -> {
					ConsistencyKey.callWith("overhead-thread-" + thread, () -> query.run(candidate));
					return 0;
				};
				runs.put(config,
						Rounds.run(NAME + " " + config.label(), candidates, plan.withThreads(threads), work, random));
				if (query != Query.MIXED) {
					keyedRuns.put(config, Rounds.run(NAME + " near cache " + config.label(), keyed,
							keyedPlan.withThreads(threads), work, random));
				}
			}
		}
		return new Result(plan, runs, keyedPlan, keyedRuns);
	}

}
