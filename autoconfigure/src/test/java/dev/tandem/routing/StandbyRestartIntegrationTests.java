package dev.tandem.routing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.consistency.ConsistencyKey;
import dev.tandem.pool.TandemPools;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.Rotation;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.url.HostAndPort;
import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A read after a write, on a real cluster, whose standby restarted behind the position
 * the topology last saw it at. Within one run of a server, a standby's replay position
 * only moves on; across a restart it can go back (crash recovery starts again from the
 * last restartpoint; a standby restored from a volume snapshot starts where the snapshot
 * was taken). Here the standby restarts from a copy of itself taken before the write, cut
 * off from its primary, so that it stays behind for as long as the test needs.
 */
class StandbyRestartIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(1);

	@Test
	void aStandbyThatRestartedBehindWhereTheTopologySawItServesNeitherAReadAfterAWriteNorReadsPastTheLagLimit()
			throws Exception {
		PostgresCluster postgres = cluster.cluster();
		ClusterWork.createTable(postgres);
		PostgresNode standby = postgres.standbys().get(0);
		Path older = cutOffCopy(postgres, standby);
		// Checks only when asked: the read below is decided on the status taken before
		// the restart.
		ClusterWork
			.runner(postgres, "tandem.topology.check-interval=10m", "tandem.consistency.max-wait=300ms",
					"tandem.reads.max-lag=1s", "tandem.consistency.ttl=30m")
			.run((context) -> {
				ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
				TopologyMonitor monitor = context.getBean(TopologyMonitor.class);
				HostAndPort node = new HostAndPort(standby.host(), standby.port());
				ConsistencyKey.runWith("alice", () -> work.insert(7));
				Lsn written = Lsn
					.parse(ClusterWork.firstValue(postgres.primary(), "SELECT pg_current_wal_lsn()::text"));
				NodeStatus seen = checkedUntil(monitor, node,
						(status) -> status.walLsn() != null && status.walLsn().compareTo(written) >= 0);
				assertThat(ConsistencyKey.callWith("alice", () -> work.find(7))).containsExactly(1, standby.port());
				// A connection of the run the check saw is known as one: such a read is
				// served without asking the standby.
				TandemPools pools = context.getBean(TandemPools.class);
				try (Connection connection = pools.reader(node).getConnection()) {
					assertThat(pools.serverStartedAt(node, connection)).isEqualTo(seen.serverStartedAt());
				}

				HikariDataSource pool = pools.readerPools().get(node);
				restartFrom(standby, older, postgres);
				// The pool lost its connections to the earlier run without a failure
				// (HikariCP dropped them when validating): the next one reaches the new
				// run, as when the restart comes between the choice of the standby and
				// the borrow.
				pool.getHikariPoolMXBean().softEvictConnections();
				assertThat(ClusterWork.firstValue(standby, "SELECT count(*) FROM event WHERE n = 7"))
					.as("rows on the restarted standby")
					.isEqualTo("0");
				int[] found = ConsistencyKey.callWith("alice", () -> work.find(7));
				NodeStatus decidedOn = monitor.snapshot().statusOf(node);
				assertThat(decidedOn.serverStartedAt()).as("the restart is not known yet")
					.isEqualTo(seen.serverStartedAt());
				assertThat(decidedOn.walLsn()).isGreaterThanOrEqualTo(written);
				assertThat(found).as("found, port").containsExactly(1, postgres.primary().port());

				NodeStatus rechecked = checkedUntil(monitor, node,
						(status) -> status.reachable() && !seen.serverStartedAt().equals(status.serverStartedAt()));
				assertThat(rechecked.serverStartedAt()).as("%s", rechecked).isAfter(seen.serverStartedAt());
				assertThat(rechecked.walLsn()).isLessThan(written);

				// Behind the primary in its new run, it lags from when it last had
				// everything, without the two check intervals (here 20 minutes) a standby
				// checked a moment apart from the primary is allowed.
				NodeStatus lagging = checkedUntil(monitor, node, (status) -> status.rotation() == Rotation.LAGGING);
				assertThat(lagging.replayLag()).isGreaterThan(Duration.ofSeconds(1));
				assertThat(work.find(7)).as("found, port, without a key").containsExactly(1, postgres.primary().port());
			});
	}

	/** Checks the node until its status satisfies the condition, bounded. */
	private static NodeStatus checkedUntil(TopologyMonitor monitor, HostAndPort node, Predicate<NodeStatus> condition) {
		return await().atMost(WAIT).until(() -> {
			monitor.requestCheck(node);
			return monitor.snapshot().statusOf(node);
		}, condition::test);
	}

	/**
	 * A copy of the standby's data folder, taken while it is stopped and cut off from the
	 * primary; the standby then runs on, streaming again.
	 */
	private static Path cutOffCopy(PostgresCluster postgres, PostgresNode standby) throws Exception {
		ClusterWork.cutOff(standby);
		standby.stop();
		Path copy = postgres.directory().resolve(standby.name() + "-older");
		run("cp", "-a", standby.dataDirectory().toString(), copy.toString());
		standby.start();
		postgres.repointStandbys(postgres.primary());
		return copy;
	}

	/** Stops the standby and starts it again from the older copy of its data folder. */
	private static void restartFrom(PostgresNode standby, Path older, PostgresCluster postgres) throws Exception {
		standby.stop();
		Path data = standby.dataDirectory();
		Files.move(data, postgres.directory().resolve(standby.name() + "-newer"));
		Files.move(older, data);
		standby.start();
	}

	private static void run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
		assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("%s ends within a minute", List.of(command)).isTrue();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.exitValue()).as("%s: %s", List.of(command), output).isZero();
	}

}
