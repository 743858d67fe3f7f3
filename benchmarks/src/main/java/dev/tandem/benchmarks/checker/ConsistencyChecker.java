package dev.tandem.benchmarks.checker;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import dev.tandem.benchmarks.CausalTokenCarrier;
import dev.tandem.benchmarks.TandemApplication;
import dev.tandem.benchmarks.checker.Operation.Outcome;
import dev.tandem.benchmarks.checker.Operation.Type;
import dev.tandem.consistency.ConsistencyKey;
import dev.tandem.consistency.MarkerStore;
import dev.tandem.consistency.redis.NearCache;
import dev.tandem.consistency.redis.RedisMarkerStore;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.testkit.RedisServer;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A randomized, bounded consistency check of Tandem under faults. Clients, each with a
 * consistency key of its own, run write → read cycles through two application instances
 * that share one Redis marker store (each with its near cache), in {@code lsn} mode: half
 * of them on a randomly chosen instance each operation, the other half reading through
 * the other instance right after each write. Meanwhile a {@link Faults fault thread}
 * pauses and resumes replay, kills and restarts a standby, stops Redis for a while, kills
 * the near caches' invalidation connections ({@code CLIENT KILL}), and fails the primary
 * over once to its synchronous standby. Every operation is recorded and the history is
 * checked by {@link HistoryChecks}: read-your-writes, monotonic reads, and no lost
 * acknowledged write.
 * <p>
 * Beside them, {@value #TOKEN_CLIENTS} token-only clients have no consistency key: each
 * writes through one instance and reads through the other, carrying only the causal token
 * of its last committed write ({@link CausalTokenCarrier}). Their keys in the history
 * start with {@value #TOKEN_ONLY}, and the same checks apply to them.
 */
public final class ConsistencyChecker {

	/** How many clients hop instances with only the causal token. */
	public static final int TOKEN_CLIENTS = 2;

	/** The prefix of the token-only clients' keys in the history. */
	public static final String TOKEN_ONLY = "token-only-";

	private final Settings settings;

	/**
	 * Creates a checker.
	 * @param settings how long, how many clients, which seed
	 */
	public ConsistencyChecker(Settings settings) {
		this.settings = settings;
	}

	/**
	 * Start a cluster (primary, a synchronous and an asynchronous standby) and Redis, run
	 * the clients and the faults for the settings' duration, and check the history.
	 * @return the counts and violations
	 * @throws Exception if the set-up fails
	 */
	public CheckerReport run() throws Exception {
		try (PostgresCluster cluster = PostgresCluster.builder().name("checker").standbys(2).start();
				RedisServer redis = RedisServer.builder().name("checker-redis").start()) {
			cluster.makeSynchronous(cluster.node(1));
			try (Connection connection = cluster.primary().connect();
					Statement statement = connection.createStatement()) {
				statement.execute("CREATE TABLE checker (k text NOT NULL, seq bigint NOT NULL, PRIMARY KEY (k, seq))");
			}
			List<ConfigurableApplicationContext> instances = new ArrayList<>();
			try {
				for (int i = 0; i < 2; i++) {
					instances.add(instance(cluster, redis, i));
				}
				return run(cluster, redis, instances);
			}
			finally {
				instances.forEach(ConfigurableApplicationContext::close);
			}
		}
	}

	private CheckerReport run(PostgresCluster cluster, RedisServer redis, List<ConfigurableApplicationContext> contexts)
			throws Exception {
		List<Instance> instances = contexts.stream().map(Instance::new).toList();
		Random random = new Random(this.settings.seed());
		long start = System.nanoTime();
		Clock clock = () -> (System.nanoTime() - start) / 1e6;
		double endMillis = this.settings.duration().toMillis();
		ConcurrentLinkedQueue<Operation> history = new ConcurrentLinkedQueue<>();
		Faults faults = new Faults(cluster, cluster.node(1), redis, new Random(random.nextLong()), clock::millis,
				endMillis);
		ExecutorService executor = Executors.newFixedThreadPool(this.settings.clients() + TOKEN_CLIENTS + 1);
		try {
			Future<?> faulting = executor.submit(faults);
			List<Future<?>> clients = new ArrayList<>();
			for (int c = 0; c < this.settings.clients(); c++) {
				Client client = new Client(c, instances, new Random(random.nextLong()), clock, endMillis, history,
						null);
				clients.add(executor.submit(client));
			}
			for (int c = 0; c < TOKEN_CLIENTS; c++) {
				Client client = new Client(this.settings.clients() + c, instances, new Random(random.nextLong()), clock,
						endMillis, history, new CausalTokenCarrier());
				clients.add(executor.submit(client));
			}
			for (Future<?> client : clients) {
				client.get(this.settings.duration().toMillis() + 60_000, TimeUnit.MILLISECONDS);
			}
			faults.stop();
			faulting.get(120, TimeUnit.SECONDS);
		}
		finally {
			faults.stop();
			executor.shutdownNow();
			executor.awaitTermination(30, TimeUnit.SECONDS);
		}
		Map<String, Set<Long>> present = readAll(cluster.primary());
		List<Operation> operations = new ArrayList<>(history);
		return new CheckerReport(this.settings, operations, faults.injected(), faults.timeline(),
				HistoryChecks.check(operations, present), clock.millis(), nearCaches(contexts));
	}

	private static List<String> nearCaches(List<ConfigurableApplicationContext> contexts) {
		List<String> lines = new ArrayList<>();
		for (int i = 0; i < contexts.size(); i++) {
			NearCache cache = RedisMarkerStore.nearCacheOf(contexts.get(i).getBean(MarkerStore.class));
			if (cache == null) {
				lines.add("near cache of instance " + i + ": off");
				continue;
			}
			String flushes = Arrays.stream(NearCache.Flush.values())
				.map((cause) -> cause.tag() + " " + cache.flushes(cause))
				.collect(Collectors.joining(", "));
			lines.add(String.format("near cache of instance %d: %d hits, %d misses, %d invalidations; flushes: %s", i,
					cache.hits(), cache.misses(), cache.invalidations(), flushes));
		}
		return lines;
	}

	private static ConfigurableApplicationContext instance(PostgresCluster cluster, RedisServer redis, int number) {
		Map<String, Object> properties = new HashMap<>();
		properties.put("tandem.url", cluster.jdbcUrl());
		properties.put("tandem.username", cluster.username());
		properties.put("tandem.password", cluster.password());
		properties.put("tandem.consistency.mode", "lsn");
		properties.put("tandem.consistency.store", "redis");
		// Short limits, so that standbys leave and rejoin the rotation and markers expire
		// within the run. The least TTL Tandem accepts is max-lag + 2 check intervals
		// (1.5 s); 3 s also covers one instance reaching Redis again up to 3 s after the
		// other (their Redis clients reconnect at different times), which
		// read-your-writes
		// across instances needs.
		properties.put("tandem.topology.check-interval", "250ms");
		properties.put("tandem.reads.max-lag", "1s");
		properties.put("tandem.consistency.ttl", "3s");
		properties.put("spring.data.redis.url", redis.url());
		properties.put("spring.data.redis.timeout", "500ms");
		properties.put("spring.data.redis.connect-timeout", "500ms");
		properties.put("spring.application.name", "checker-" + number);
		// Two instances of one application: one marker namespace (by default each name
		// would be a namespace of its own, and neither would see the other's markers).
		properties.put("tandem.consistency.namespace", "consistency-checker");
		properties.put("logging.level.root", "WARN");
		properties.put("logging.level.dev.tandem", "ERROR");
		properties.put("logging.level.com.zaxxer.hikari", "OFF");
		properties.put("logging.level.io.lettuce", "OFF");
		return TandemApplication.start(properties);
	}

	private static Map<String, Set<Long>> readAll(PostgresNode primary) throws Exception {
		Map<String, Set<Long>> present = new HashMap<>();
		try (Connection connection = primary.connect();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT k, seq FROM checker")) {
			while (rows.next()) {
				present.computeIfAbsent(rows.getString(1), (key) -> new HashSet<>()).add(rows.getLong(2));
			}
		}
		return present;
	}

	/**
	 * What to run.
	 *
	 * @param duration how long the clients and faults run
	 * @param clients how many clients, each with its own key
	 * @param seed the seed of every random choice (the timing of a run is not
	 * reproducible, its schedule of choices is)
	 */
	public record Settings(Duration duration, int clients, long seed) {

	}

	@FunctionalInterface
	private interface Clock {

		double millis();

	}

	private record Instance(TransactionTemplate writes, TransactionTemplate reads, JdbcTemplate jdbc) {

		Instance(ConfigurableApplicationContext context) {
			this(new TransactionTemplate(context.getBean(PlatformTransactionManager.class)),
					readOnly(context.getBean(PlatformTransactionManager.class)),
					new JdbcTemplate(context.getBean(DataSource.class)));
		}

		private static TransactionTemplate readOnly(PlatformTransactionManager transactions) {
			TransactionTemplate template = new TransactionTemplate(transactions);
			template.setReadOnly(true);
			return template;
		}

	}

	/**
	 * One client: with a consistency key of its own, on a random instance each operation;
	 * or, with a carrier, with no key, writing through one instance and reading through
	 * the other with the token of its last write.
	 */
	private record Client(int number, List<Instance> instances, Random random, Clock clock, double endMillis,
			ConcurrentLinkedQueue<Operation> history, @Nullable CausalTokenCarrier carrier) implements Runnable {

		@Override
		public void run() {
			String key = ((this.carrier != null) ? TOKEN_ONLY : "client-") + this.number;
			long seq = 0;
			while (this.clock.millis() < this.endMillis && !Thread.currentThread().isInterrupted()) {
				seq++;
				int wrote = instance();
				write(key, seq, wrote);
				read(key, hops() ? (wrote + 1) % this.instances.size() : instance());
			}
		}

		/**
		 * Whether this client reads through the other instance right after each write:
		 * token-only clients, and every other client with a key (the read then finds the
		 * other instance's near cache holding the key's previous answer until Redis's
		 * invalidation comes).
		 */
		private boolean hops() {
			return this.carrier != null || this.number % 2 == 1;
		}

		private int instance() {
			if (this.carrier != null) {
				return this.number % this.instances.size();
			}
			return this.random.nextInt(this.instances.size());
		}

		private <T> T scoped(String key, Callable<T> work) throws Exception {
			return (this.carrier != null) ? this.carrier.call(work) : ConsistencyKey.callWith(key, work);
		}

		private void write(String key, long seq, int instance) {
			Instance target = this.instances.get(instance);
			double start = this.clock.millis();
			try {
				scoped(key, () -> target.writes()
					.execute((status) -> target.jdbc().update("INSERT INTO checker (k, seq) VALUES (?, ?)", key, seq)));
				record(key, Type.WRITE, seq, instance, start, Outcome.OK, 0, false, null);
			}
			catch (Exception ex) {
				record(key, Type.WRITE, seq, instance, start, Outcome.FAILED, 0, false, describe(ex));
				// While no primary is known writes fail at once: back off a little.
				LockSupport.parkNanos(20_000_000);
			}
		}

		private void read(String key, int instance) {
			Instance target = this.instances.get(instance);
			double start = this.clock.millis();
			try {
				long[] seen = scoped(key, () -> target.reads()
					.execute((status) -> target.jdbc()
						.queryForObject(
								"SELECT coalesce(max(seq), 0), pg_is_in_recovery(), inet_server_port() FROM checker WHERE k = ?",
								(rs, row) -> new long[] { rs.getLong(1), rs.getBoolean(2) ? 1 : 0, rs.getInt(3) },
								key)));
				record(key, Type.READ, seen[0], instance, start, Outcome.OK, (int) seen[2], seen[1] == 1, null);
			}
			catch (Exception ex) {
				record(key, Type.READ, 0, instance, start, Outcome.FAILED, 0, false, describe(ex));
			}
		}

		private void record(String key, Type type, long value, int instance, double start, Outcome outcome, int node,
				boolean standby, String error) {
			this.history.add(new Operation(this.number, key, type, value, instance, start, this.clock.millis(), outcome,
					node, standby, error));
		}

		private static String describe(Throwable ex) {
			Throwable root = ex;
			while (root.getCause() != null && root.getCause() != root) {
				root = root.getCause();
			}
			return ex.getClass().getSimpleName() + ((root != ex) ? " / " + root.getClass().getSimpleName() : "") + ": "
					+ root.getMessage();
		}

	}

}
