package dev.tandem.benchmarks.checker;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.testkit.RedisServer;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * The fault thread: faults of each kind injected at random times and healed after a
 * random while, so that they overlap (Redis down while a standby lags, say), though never
 * two on one node and never two of a kind at once; one failover of the primary part-way
 * through, with every other fault healed first.
 * <p>
 * Before the failover, the only standby ever killed is the asynchronous one: the
 * synchronous standby is the one promoted, and commits wait for it. After the failover
 * the old primary is rebuilt as a standby of the new one, so the rest of the run still
 * has standbys to fault.
 */
final class Faults implements Runnable {

	/** The kinds of fault. */
	enum Kind {

		/** {@code pg_wal_replay_pause()} on a standby, then resume. */
		REPLAY_PAUSE,

		/** A standby killed (SIGKILL of its postmaster), then started again. */
		STANDBY_KILL,

		/**
		 * A standby killed, started, and killed and started again a moment later: reads
		 * chosen on what its first run had replayed borrow connections from its next run,
		 * which crash recovery may have taken back to an older position.
		 */
		STANDBY_DOUBLE_KILL,

		/** Redis stopped (it loses every marker), then started again on its port. */
		REDIS_STOP,

		/**
		 * Every near cache's invalidation connection killed ({@code CLIENT KILL}); the
		 * instances' Redis clients connect again by themselves.
		 */
		INVALIDATION_KILL,

		/** The primary killed, the synchronous standby promoted, the other repointed. */
		FAILOVER

	}

	/**
	 * A {@code CLIENT LIST} line of a near cache's invalidation connection, with its id.
	 */
	private static final Pattern INVALIDATION_CONNECTION = Pattern
		.compile("\\bid=(\\d+) .*\\bname=tandem-near-cache\\b");

	private final PostgresCluster cluster;

	private final PostgresNode synchronous;

	private final RedisServer redis;

	private final Random random;

	private final DoubleSupplier clock;

	private final double endMillis;

	private final double failoverAtMillis;

	private final Map<Kind, Integer> injected = new EnumMap<>(Kind.class);

	private final List<String> timeline = new ArrayList<>();

	private final Map<Kind, Fault> active = new EnumMap<>(Kind.class);

	private volatile boolean stopped;

	/**
	 * Creates the fault thread's work.
	 * @param cluster the cluster, its first node the primary
	 * @param synchronous the synchronous standby, promoted at the failover
	 * @param redis the marker store's server
	 * @param random the source of every choice
	 * @param clock milliseconds since the run started
	 * @param endMillis when to stop injecting
	 */
	Faults(PostgresCluster cluster, PostgresNode synchronous, RedisServer redis, Random random, DoubleSupplier clock,
			double endMillis) {
		this.cluster = cluster;
		this.synchronous = synchronous;
		this.redis = redis;
		this.random = random;
		this.clock = clock;
		this.endMillis = endMillis;
		this.failoverAtMillis = endMillis * (0.35 + 0.2 * random.nextDouble());
	}

	@Override
	public void run() {
		boolean failedOver = false;
		pause(500 + this.random.nextInt(500));
		while (!this.stopped && this.clock.getAsDouble() < this.endMillis - 1_500) {
			healDue();
			if (!failedOver && this.clock.getAsDouble() >= this.failoverAtMillis) {
				healAll();
				failover();
				failedOver = true;
			}
			else if (this.random.nextInt(3) > 0) {
				// Redis outages send keyed reads to the primary for a TTL: rarer, so that
				// most reads still exercise the standbys.
				int roll = this.random.nextInt(100);
				Kind kind = (roll < 40) ? Kind.REPLAY_PAUSE : (roll < 62) ? Kind.STANDBY_KILL : (roll < 72)
						? Kind.STANDBY_DOUBLE_KILL : (roll < 86) ? Kind.REDIS_STOP : Kind.INVALIDATION_KILL;
				if (kind == Kind.INVALIDATION_KILL) {
					if (!this.active.containsKey(Kind.REDIS_STOP)) {
						inject(kind, "the near caches' connections", this::killInvalidationConnections);
					}
				}
				else if (kind == Kind.STANDBY_DOUBLE_KILL) {
					killStandbyTwice(failedOver);
				}
				else if (!this.active.containsKey(kind)) {
					double healAt = this.clock.getAsDouble() + 300 + this.random.nextInt(1_200);
					switch (kind) {
						case REPLAY_PAUSE -> pauseReplay(healAt);
						case STANDBY_KILL -> killStandby(failedOver, healAt);
						case REDIS_STOP -> stopRedis(healAt);
						default -> throw new IllegalStateException(kind.toString());
					}
				}
			}
			pause(100 + this.random.nextInt(400));
		}
		healAll();
	}

	/** Stop injecting; every fault still active is healed first. */
	void stop() {
		this.stopped = true;
	}

	private void pauseReplay(double healAt) {
		List<PostgresNode> standbys = new ArrayList<>(this.cluster.standbys());
		standbys.removeAll(this.targets());
		if (standbys.isEmpty()) {
			return;
		}
		PostgresNode standby = standbys.get(this.random.nextInt(standbys.size()));
		inject(Kind.REPLAY_PAUSE, standby, healAt, standby::pauseReplay,
				new Fault(standby, healAt, "resume replay on " + standby, standby::resumeReplay));
	}

	private void killStandby(boolean failedOver, double healAt) {
		PostgresNode standby = standbyToKill(failedOver);
		if (standby != null) {
			inject(Kind.STANDBY_KILL, standby, healAt, standby::kill,
					new Fault(standby, healAt, "start " + standby, standby::start));
		}
	}

	private void killStandbyTwice(boolean failedOver) {
		PostgresNode standby = standbyToKill(failedOver);
		if (standby == null) {
			return;
		}
		int between = 100 + this.random.nextInt(400);
		inject(Kind.STANDBY_DOUBLE_KILL, standby + ", start it, kill it again " + between + " ms later, start it",
				() -> {
					standby.kill();
					standby.start();
					pause(between);
					standby.kill();
					standby.start();
				});
	}

	/**
	 * A standby no other fault holds; before the failover, not the synchronous one.
	 */
	private @Nullable PostgresNode standbyToKill(boolean failedOver) {
		List<PostgresNode> candidates = new ArrayList<>(this.cluster.standbys());
		candidates.removeAll(this.targets());
		if (!failedOver) {
			candidates.remove(this.synchronous);
		}
		return candidates.isEmpty() ? null : candidates.get(this.random.nextInt(candidates.size()));
	}

	private void stopRedis(double healAt) {
		inject(Kind.REDIS_STOP, "Redis", healAt, this.redis::stop,
				new Fault(null, healAt, "start Redis", this.redis::start));
	}

	private void killInvalidationConnections() {
		RedisClient client = RedisClient.create(this.redis.url());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			for (String line : connection.sync().clientList().split("\n")) {
				Matcher channel = INVALIDATION_CONNECTION.matcher(line);
				if (channel.find()) {
					connection.sync().clientKill(KillArgs.Builder.id(Long.parseLong(channel.group(1))));
				}
			}
		}
		finally {
			client.shutdown();
		}
	}

	private void failover() {
		PostgresNode old = this.cluster.primary();
		int outage = 1_000 + this.random.nextInt(1_000);
		inject(Kind.FAILOVER, "kill " + old + ", promote " + this.synchronous + " after " + outage + " ms", old::kill);
		pause(outage);
		heal("promote " + this.synchronous + " and repoint the other standby", () -> {
			this.cluster.promote(this.synchronous);
			this.cluster.repointStandbys(this.synchronous);
		});
		heal("rebuild " + old + " as a standby of " + this.synchronous,
				() -> this.cluster.rejoinAsStandby(old, this.synchronous));
	}

	private List<PostgresNode> targets() {
		return this.active.values().stream().map(Fault::node).filter(Objects::nonNull).toList();
	}

	private void healDue() {
		double now = this.clock.getAsDouble();
		for (Map.Entry<Kind, Fault> entry : List.copyOf(this.active.entrySet())) {
			if (entry.getValue().healAt() <= now) {
				this.active.remove(entry.getKey());
				heal(entry.getValue().description(), entry.getValue().heal());
			}
		}
	}

	private void healAll() {
		for (Kind kind : List.copyOf(this.active.keySet())) {
			Fault fault = this.active.remove(kind);
			heal(fault.description(), fault.heal());
		}
	}

	private void inject(Kind kind, Object target, double healAt, Runnable action, Fault fault) {
		inject(kind, target + " for " + Math.round(healAt - this.clock.getAsDouble()) + " ms", action);
		this.active.put(kind, fault);
	}

	private void inject(Kind kind, String what, Runnable action) {
		count(kind);
		step(kind + " " + what, action);
	}

	private void heal(String what, Runnable action) {
		step("  " + what, action);
	}

	private void step(String what, Runnable action) {
		double at = this.clock.getAsDouble();
		try {
			action.run();
			record(String.format("%9.1f ms  %s (%.0f ms)", at, what, this.clock.getAsDouble() - at));
		}
		catch (RuntimeException ex) {
			record(String.format("%9.1f ms  %s FAILED: %s", at, what, ex.getMessage()));
			throw ex;
		}
	}

	private synchronized void count(Kind kind) {
		this.injected.merge(kind, 1, Integer::sum);
	}

	private synchronized void record(String line) {
		this.timeline.add(line);
	}

	private void pause(long millis) {
		long deadline = System.nanoTime() + millis * 1_000_000;
		while (!this.stopped && System.nanoTime() < deadline) {
			LockSupport.parkNanos(Math.min(deadline - System.nanoTime(), 50_000_000));
		}
	}

	/**
	 * Faults injected so far, by kind.
	 * @return the counts
	 */
	synchronized Map<Kind, Integer> injected() {
		return new EnumMap<>(this.injected);
	}

	/**
	 * Every step taken, with its time.
	 * @return the timeline
	 */
	synchronized List<String> timeline() {
		return List.copyOf(this.timeline);
	}

	/**
	 * A fault in force: the node it holds (if any), when and how to heal it.
	 */
	private record Fault(@Nullable PostgresNode node, double healAt, String description, Runnable heal) {

	}

}
