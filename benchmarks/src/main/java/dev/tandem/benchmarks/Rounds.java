package dev.tandem.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interleaved harness. In every round each candidate runs the same work on the same
 * number of threads for one fixed slice of time, the candidates in a new shuffled order
 * each round; the first rounds warm up (JIT, pools, caches) and are discarded. A slice's
 * cost is its wall time divided by the units of work all its threads finished, so at one
 * thread it is the latency of a unit and at several the inverse of the throughput.
 * Comparing candidates within one round cancels the drift of a shared machine.
 * <p>
 * JMH runs its benchmarks one after another, each in its own forked JVM, so it cannot
 * interleave candidates that share one live cluster, Redis and background monitors; this
 * harness does only that and leaves the statistics to the medians.
 */
final class Rounds {

	private static final Logger logger = LoggerFactory.getLogger(Rounds.class);

	/** Longest a slice may overrun its end before the run is given up. */
	private static final Duration OVERRUN = Duration.ofSeconds(60);

	/** Flags a unit of work may raise: bits 0 to {@value}-1. */
	static final int FLAGS = 8;

	/** A worker's counts: operations, errors, each flag, CPU nanoseconds. */
	private static final int COUNTS = 2 + FLAGS + 1;

	private static final int FIRST_FLAG = 2;

	private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

	private Rounds() {
	}

	/**
	 * How a run is divided.
	 *
	 * @param warmupRounds rounds run and discarded first
	 * @param measuredRounds rounds reported
	 * @param slice how long each candidate runs in each round
	 * @param threads threads running the work at the same time
	 */
	record Plan(int warmupRounds, int measuredRounds, Duration slice, int threads) {

		Plan withThreads(int threads) {
			return new Plan(this.warmupRounds, this.measuredRounds, this.slice, threads);
		}

		String describe() {
			return this.measuredRounds + " measured rounds after " + this.warmupRounds + " warm-up round"
					+ ((this.warmupRounds == 1) ? "" : "s") + ", " + this.slice.toMillis()
					+ " ms per candidate per round";
		}

	}

	/** One unit of work of a candidate. */
	@FunctionalInterface
	interface Work {

		/**
		 * Runs one unit of work.
		 * @param candidate the candidate
		 * @param thread index of the calling thread, from 0
		 * @return flags the scenario counts, one bit each (below {@link #FLAGS}), or 0
		 * @throws Exception a failure, counted as an error
		 */
		int run(Candidate candidate, int thread) throws Exception;

	}

	/**
	 * What one candidate did in one round.
	 *
	 * @param operations units of work finished
	 * @param errors units of work that threw
	 * @param nanos wall time from the start of the slice until its last thread stopped
	 * @param cpuNanos CPU time the worker threads spent, in this JVM only
	 * @param flags count of each flag raised
	 */
	record Slice(long operations, long errors, long nanos, long cpuNanos, long[] flags) {

		double microsPerOperation() {
			return (this.operations > 0) ? this.nanos / 1000.0 / this.operations : Double.POSITIVE_INFINITY;
		}

		double cpuMicrosPerOperation() {
			return (this.operations > 0) ? this.cpuNanos / 1000.0 / this.operations : Double.POSITIVE_INFINITY;
		}

	}

	/** The measured slices of every candidate, in round order. */
	static final class Result {

		private final Map<String, List<Slice>> slices;

		private Result(Map<String, List<Slice>> slices) {
			this.slices = slices;
		}

		List<String> candidates() {
			return List.copyOf(this.slices.keySet());
		}

		List<Slice> slices(String candidate) {
			List<Slice> slices = this.slices.get(candidate);
			if (slices == null) {
				throw new IllegalArgumentException("No candidate '" + candidate + "' in this run");
			}
			return slices;
		}

		/** Cost of a unit of work in each round, in microseconds. */
		List<Double> micros(String candidate) {
			return slices(candidate).stream().map(Slice::microsPerOperation).toList();
		}

		/**
		 * CPU time of the calling threads per unit of work in each round, in
		 * microseconds.
		 */
		List<Double> cpuMicros(String candidate) {
			return slices(candidate).stream().map(Slice::cpuMicrosPerOperation).toList();
		}

		/** The candidate's cost over the base's, round by round. */
		List<Double> ratios(String candidate, String base) {
			List<Slice> of = slices(candidate);
			List<Slice> to = slices(base);
			List<Double> ratios = new ArrayList<>(of.size());
			for (int i = 0; i < of.size(); i++) {
				ratios.add(of.get(i).microsPerOperation() / to.get(i).microsPerOperation());
			}
			return ratios;
		}

		long operations(String candidate) {
			return slices(candidate).stream().mapToLong(Slice::operations).sum();
		}

		long errors(String candidate) {
			return slices(candidate).stream().mapToLong(Slice::errors).sum();
		}

		long flagged(String candidate, int flag) {
			return slices(candidate).stream().mapToLong((slice) -> slice.flags()[flag]).sum();
		}

	}

	/**
	 * Runs every candidate in rounds.
	 * @param label what runs, for the log
	 * @param candidates the candidates
	 * @param plan rounds, slice and threads
	 * @param work the unit of work
	 * @param random decides the order of each round
	 * @return the measured slices
	 */
	static Result run(String label, List<Candidate> candidates, Plan plan, Work work, Random random) {
		logger.info("{}: {} candidates, {} threads, {}", label, candidates.size(), plan.threads(), plan.describe());
		Map<String, List<Slice>> measured = new LinkedHashMap<>();
		candidates.forEach((candidate) -> measured.put(candidate.name(), new ArrayList<>()));
		Set<String> reported = ConcurrentHashMap.newKeySet();
		ExecutorService threads = Executors.newFixedThreadPool(plan.threads(), new Workers(label));
		try {
			for (int round = 0; round < plan.warmupRounds() + plan.measuredRounds(); round++) {
				List<Candidate> order = new ArrayList<>(candidates);
				Collections.shuffle(order, random);
				for (Candidate candidate : order) {
					Slice slice = slice(threads, candidate, plan, work, (ex) -> {
						if (reported.add(candidate.name())) {
							logger.warn("{}: {} failed, first failure: {}", label, candidate, ex.toString());
						}
					});
					if (round >= plan.warmupRounds()) {
						measured.get(candidate.name()).add(slice);
					}
				}
			}
		}
		finally {
			threads.shutdownNow();
		}
		return new Result(measured);
	}

	private static Slice slice(ExecutorService threads, Candidate candidate, Plan plan, Work work,
			Consumer<Exception> failure) {
		CountDownLatch ready = new CountDownLatch(plan.threads());
		CountDownLatch go = new CountDownLatch(1);
		long[] deadline = new long[1];
		List<Future<long[]>> results = new ArrayList<>();
		for (int i = 0; i < plan.threads(); i++) {
			int thread = i;
			results.add(threads.submit(() -> {
				ready.countDown();
				go.await();
				// Happens-after go.countDown(), which follows the write of the deadline.
				long end = deadline[0];
				long cpu = CPU.getCurrentThreadCpuTime();
				long[] counts = new long[COUNTS];
				while (System.nanoTime() - end < 0) {
					try {
						int flags = work.run(candidate, thread);
						counts[0]++;
						for (int flag = 0; flag < FLAGS; flag++) {
							if ((flags & (1 << flag)) != 0) {
								counts[FIRST_FLAG + flag]++;
							}
						}
					}
					catch (Exception ex) {
						counts[1]++;
						failure.accept(ex);
					}
				}
				counts[COUNTS - 1] = CPU.getCurrentThreadCpuTime() - cpu;
				return counts;
			}));
		}
		try {
			if (!ready.await(OVERRUN.toSeconds(), TimeUnit.SECONDS)) {
				throw new IllegalStateException("Worker threads did not start within " + OVERRUN);
			}
			long started = System.nanoTime();
			deadline[0] = started + plan.slice().toNanos();
			go.countDown();
			long[] total = new long[COUNTS];
			for (Future<long[]> result : results) {
				long[] counts = result.get(plan.slice().plus(OVERRUN).toMillis(), TimeUnit.MILLISECONDS);
				for (int i = 0; i < total.length; i++) {
					total[i] += counts[i];
				}
			}
			long nanos = System.nanoTime() - started;
			long[] flags = new long[FLAGS];
			System.arraycopy(total, FIRST_FLAG, flags, 0, FLAGS);
			return new Slice(total[0], total[1], nanos, total[COUNTS - 1], flags);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while " + candidate + " ran", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException(candidate + " did not finish its slice", ex);
		}
	}

	/** Daemon worker threads, named after the run. */
	private static final class Workers implements ThreadFactory {

		private final String label;

		private final AtomicInteger count = new AtomicInteger();

		Workers(String label) {
			this.label = label;
		}

		@Override
		public Thread newThread(Runnable runnable) {
			Thread thread = new Thread(runnable, "bench-" + this.label + "-" + this.count.getAndIncrement());
			thread.setDaemon(true);
			return thread;
		}

	}

}
