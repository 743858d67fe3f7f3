package dev.tandem.routing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;

import dev.tandem.consistency.ConsistencyKey;
import dev.tandem.pool.TandemPools;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.topology.Rotation;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.url.HostAndPort;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Losing the primary under a steady load of writes and reads, on a fresh cluster for each
 * test, with Tandem's default timeouts and check interval. The figures each test measures
 * are logged on one line starting with {@code FAILOVER}.
 */
class FailoverIntegrationTests {

	private static final Logger logger = LoggerFactory.getLogger(FailoverIntegrationTests.class);

	private static final Duration WAIT = Duration.ofSeconds(20);

	/** Two of the default check intervals. */
	private static final Duration TWO_INTERVALS = Duration.ofSeconds(2);

	@Test
	void readsKeepWorkingAndWritesResumeSoonAfterAStandbyIsPromoted() throws Exception {
		try (PostgresCluster cluster = PostgresCluster.builder().name("failover-load").standbys(2).start()) {
			ClusterWork.createTable(cluster);
			ClusterWork.runner(cluster).run((context) -> {
				ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
				TopologyMonitor monitor = context.getBean(TopologyMonitor.class);
				PostgresNode oldPrimary = cluster.primary();
				PostgresNode newPrimary = cluster.node(1);
				long kill;
				long down;
				long promoteStart;
				long promoted;
				Load writes = new Load("writer", 2, work::insert);
				Load reads = new Load("reader", 2, work::read);
				try (writes; reads) {
					await().atMost(WAIT)
						.until(() -> writes.count(Load.Call::ok) >= 20 && reads.count(Load.Call::ok) >= 20);
					oldPrimary.kill();
					kill = System.nanoTime();
					await().atMost(WAIT).until(() -> monitor.snapshot().primaryDown());
					down = System.nanoTime();
					// The outage lasts until writes have been seen failing fast.
					await().atMost(WAIT)
						.until(() -> writes.count((call) -> !call.ok() && call.start() > down
								&& call.failedWith(NoPrimaryAvailableException.class)) >= 10);
					promoteStart = System.nanoTime();
					cluster.promote(newPrimary);
					promoted = System.nanoTime();
					cluster.repointStandbys(newPrimary);
					long settled = promoted + TWO_INTERVALS.toNanos();
					await().atMost(WAIT)
						.until(() -> writes.count((call) -> call.ok() && call.start() > promoted) >= 20
								&& reads.count((call) -> call.ok() && call.start() > settled) >= 20);
				}
				Load.Call firstWrite = writes.first((call) -> call.ok() && call.start() > kill).orElseThrow();
				Duration killToWrite = Duration.ofNanos(firstWrite.end() - kill);
				Duration promoteToWrite = Duration.ofNanos(firstWrite.end() - promoted);
				Duration longestWrite = writes.calls()
					.stream()
					.map(Load.Call::duration)
					.max(Comparator.naturalOrder())
					.orElseThrow();
				Duration longestRead = reads.calls()
					.stream()
					.map(Load.Call::duration)
					.max(Comparator.naturalOrder())
					.orElseThrow();
				Duration longestFailFast = writes.calls()
					.stream()
					.filter((call) -> call.failedWith(NoPrimaryAvailableException.class))
					.map(Load.Call::duration)
					.max(Comparator.naturalOrder())
					.orElseThrow();
				long failedWrites = writes.count((call) -> !call.ok());
				long failedReads = reads.count((call) -> !call.ok());
				logger
					.info("FAILOVER kill (returned)->primary down seen {} ms, kill->promote {} ms, promote took {} ms, "
							+ "kill->first write {} ms, promoted->first write {} ms, longest write call {} ms, "
							+ "longest fail-fast write {} ms, longest read call {} ms, writes {} ({} failed), reads {} ({} failed)",
							millis(down - kill), millis(promoteStart - kill), millis(promoted - promoteStart),
							killToWrite.toMillis(), promoteToWrite.toMillis(), longestWrite.toMillis(),
							longestFailFast.toMillis(), longestRead.toMillis(), writes.calls().size(), failedWrites,
							reads.calls().size(), failedReads);
				assertThat(failedReads).as("reads that failed while standbys were up").isZero();
				// The promoted node leaves the reader set within two check intervals;
				// until
				// then its read-only sessions keep serving reads.
				assertThat(reads.calls().stream().filter((call) -> call.start() > promoted + TWO_INTERVALS.toNanos()))
					.isNotEmpty()
					.allSatisfy((call) -> {
						assertThat(call.node().standby()).isTrue();
						assertThat(call.node().port()).isNotEqualTo(newPrimary.port());
					});
				assertThat(promoteToWrite).isLessThanOrEqualTo(Duration.ofSeconds(2));
				assertThat(longestWrite).isLessThanOrEqualTo(TandemPools.WRITER_CONNECTION_TIMEOUT.plusMillis(500));
				assertThat(longestFailFast).isLessThan(Duration.ofMillis(500));
				assertThat(writes.count((call) -> call.failedWith("25006"))).isZero();
				assertThat(writes.calls().stream().filter((call) -> call.ok() && call.start() > promoted))
					.allSatisfy((call) -> assertThat(call.node().port()).isEqualTo(newPrimary.port()));
			});
		}
	}

	@Test
	void aFormerPrimaryRejoinsAsAStandbyWithoutAnyStaleWriteAndServesReadsAgain() throws Exception {
		try (PostgresCluster cluster = PostgresCluster.builder().name("failover-rejoin").standbys(2).start()) {
			ClusterWork.createTable(cluster);
			ClusterWork.runner(cluster).run((context) -> {
				ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
				TopologyMonitor monitor = context.getBean(TopologyMonitor.class);
				PostgresNode oldPrimary = cluster.primary();
				PostgresNode newPrimary = cluster.node(1);
				HostAndPort oldNode = new HostAndPort(oldPrimary.host(), oldPrimary.port());
				long promoted;
				long rejoined;
				long rejoinedInRotation;
				Load writes = new Load("writer", 2, work::insert);
				Load reads = new Load("reader", 2, work::read);
				try (writes; reads) {
					await().atMost(WAIT).until(() -> writes.count(Load.Call::ok) >= 20);
					oldPrimary.kill();
					await().atMost(WAIT).until(() -> monitor.snapshot().primaryDown());
					cluster.promote(newPrimary);
					promoted = System.nanoTime();
					cluster.repointStandbys(newPrimary);
					await().atMost(WAIT)
						.until(() -> writes.count((call) -> call.ok() && call.start() > promoted) >= 20);
					cluster.rejoinAsStandby(oldPrimary, newPrimary);
					rejoined = System.nanoTime();
					await().atMost(WAIT)
						.until(() -> monitor.snapshot().node(oldNode).orElseThrow().rotation() == Rotation.IN_ROTATION);
					rejoinedInRotation = System.nanoTime();
					await().atMost(WAIT)
						.until(() -> reads
							.count((call) -> call.ok() && call.start() > rejoinedInRotation
									&& call.node().port() == oldPrimary.port()) >= 10
								&& writes.count((call) -> call.ok() && call.start() > rejoinedInRotation) >= 20);
				}
				logger.info(
						"FAILOVER rejoin: old primary in rotation {} ms after it was rebuilt and started; "
								+ "writes {} ({} failed, {} with 25006), reads {} ({} failed)",
						millis(rejoinedInRotation - rejoined), writes.calls().size(),
						writes.count((call) -> !call.ok()), writes.count((call) -> call.failedWith("25006")),
						reads.calls().size(), reads.count((call) -> !call.ok()));
				assertThat(writes.count((call) -> call.failedWith("25006"))).isZero();
				assertThat(writes.calls().stream().filter((call) -> call.start() > promoted + TWO_INTERVALS.toNanos()))
					.isNotEmpty()
					.allSatisfy((call) -> {
						assertThat(call.ok()).isTrue();
						assertThat(call.node().port()).isEqualTo(newPrimary.port());
					});
				assertThat(reads.count((call) -> !call.ok())).isZero();
				assertThat(oldPrimary.isInRecovery()).isTrue();
			});
		}
	}

	@Test
	void aStandbyLeftOnTheOldTimelineNeverServesAReadThatMustSeeANewWrite() throws Exception {
		try (PostgresCluster cluster = PostgresCluster.builder().name("failover-diverged").standbys(2).start()) {
			ClusterWork.createTable(cluster);
			PostgresNode oldPrimary = cluster.primary();
			PostgresNode promoted = cluster.node(1);
			PostgresNode diverged = cluster.node(2);
			HostAndPort divergedNode = new HostAndPort(diverged.host(), diverged.port());
			ClusterWork.runner(cluster).run((context) -> {
				ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
				TopologyMonitor monitor = context.getBean(TopologyMonitor.class);
				// The standby to be promoted stops receiving; the other one keeps up and
				// ends up ahead of it, with WAL the new timeline will not have.
				ClusterWork.cutOff(promoted);
				await().atMost(WAIT)
					.until(() -> "0".equals(asSuperuser(promoted,
							"SELECT count(*)::text FROM pg_stat_wal_receiver WHERE status = 'streaming'")));
				String fork = ClusterWork.firstValue(promoted, "SELECT pg_last_wal_replay_lsn()::text");
				try (Connection connection = oldPrimary.connect(); Statement statement = connection.createStatement()) {
					statement.execute("INSERT INTO event (n) SELECT 0 FROM generate_series(1, 20000)");
				}
				String end = ClusterWork.firstValue(oldPrimary, "SELECT pg_current_wal_lsn()::text");
				await().atMost(WAIT)
					.until(() -> "true".equals(ClusterWork.firstValue(diverged,
							"SELECT (pg_last_wal_replay_lsn() >= '" + end + "'::pg_lsn)::text")));
				assertThat(ClusterWork.firstValue(promoted, "SELECT pg_last_wal_replay_lsn()::text"))
					.as("cut off before the insert")
					.isEqualTo(fork);
				oldPrimary.kill();
				cluster.promote(promoted);
				cluster.repointStandbys(promoted);
				await().atMost(WAIT)
					.until(() -> monitor.snapshot()
						.primary()
						.map((status) -> status.node().port() == promoted.port())
						.orElse(false));
				int stale = 0;
				int onDiverged = 0;
				for (int i = 0; i < 50; i++) {
					int[] seen = new int[2];
					int n = 1_000_000 + i;
					ConsistencyKey.runWith("k", () -> {
						work.insert(n);
						System.arraycopy(work.find(n), 0, seen, 0, 2);
					});
					stale += (seen[0] == 0) ? 1 : 0;
					onDiverged += (seen[1] == diverged.port()) ? 1 : 0;
				}
				logger.info("FAILOVER diverged standby: {} stale reads, {} served by it, its state {}", stale,
						onDiverged, monitor.snapshot().node(divergedNode).orElseThrow().rotation());
				assertThat(stale).isZero();
				assertThat(onDiverged).isZero();
				// It never receives from the new primary: past the lag limit it is out.
				await().atMost(WAIT)
					.until(() -> monitor.snapshot().node(divergedNode).orElseThrow().rotation() == Rotation.LAGGING);
			});
		}
	}

	private static String asSuperuser(PostgresNode node, String query) throws SQLException {
		try (Connection connection = node.connectAsSuperuser();
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery(query)) {
			rs.next();
			return rs.getString(1);
		}
	}

	private static long millis(long nanos) {
		return Duration.ofNanos(nanos).toMillis();
	}

}
