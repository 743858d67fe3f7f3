package dev.tandem.routing;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;

import dev.tandem.pool.TandemPools;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.topology.TopologyMonitor;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node that stops answering while its connections stay open (a hung server, a partition
 * that drops packets), frozen for ten seconds under a steady load, on a fresh cluster for
 * each test, with Tandem's default timeouts and check interval. Calls running on the
 * frozen node must fail at once when the topology sees it stop answering, so that reads
 * run again on another standby and no call waits for the node. The figures each test
 * measures are logged on one line starting with {@code FROZEN}.
 */
class FrozenNodeIntegrationTests {

	private static final Logger logger = LoggerFactory.getLogger(FrozenNodeIntegrationTests.class);

	private static final Duration FREEZE = Duration.ofSeconds(10);

	private static final Duration WAIT = Duration.ofSeconds(20);

	@Test
	void readsOnAFrozenStandbyRunAgainOnAnotherWithinTheReaderTimeoutPlusACheckInterval() throws Exception {
		try (PostgresCluster cluster = PostgresCluster.builder().name("frozen-standby").standbys(2).start()) {
			ClusterWork.createTable(cluster);
			PostgresNode frozen = cluster.node(1);
			ClusterWork.runner(cluster).run((context) -> {
				ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
				Duration bound = TandemPools.READER_CONNECTION_TIMEOUT
					.plus(context.getBean(TopologyMonitor.class).interval());
				long froze;
				long thawed;
				long servesAgain;
				Load reads = new Load("reader", 4, work::read);
				try (reads) {
					// Calls must be running on the standby when it freezes.
					await().atMost(WAIT).until(() -> reads.count((call) -> servedBy(call, frozen)) >= 20);
					cluster.freeze(frozen);
					froze = System.nanoTime();
					try {
						// The freeze's length is the condition under test, not a wait for
						// one.
						Thread.sleep(FREEZE.toMillis());
					}
					finally {
						cluster.thaw(frozen);
					}
					thawed = System.nanoTime();
					await().atMost(WAIT)
						.until(() -> reads.count((call) -> call.start() > thawed && servedBy(call, frozen)) >= 10);
					servesAgain = reads.first((call) -> call.start() > thawed && servedBy(call, frozen))
						.orElseThrow()
						.end();
				}
				Load.Call longestRead = longest(reads);
				long failedReads = reads.count((call) -> !call.ok());
				long frozenServed = reads
					.count((call) -> servedBy(call, frozen) && call.start() > froze && call.end() < thawed);
				logger.info(
						"FROZEN standby {} s: longest read call {} ms (bound {} ms, began {} ms after freeze() returned), "
								+ "reads {} ({} failed), reads begun and served by the frozen standby while frozen {}, "
								+ "thaw->first read served by it {} ms",
						FREEZE.toSeconds(), longestRead.duration().toMillis(), bound.toMillis(),
						millis(longestRead.start() - froze), reads.calls().size(), failedReads, frozenServed,
						millis(servesAgain - thawed));
				assertThat(failedReads).as("failed reads").isZero();
				assertThat(longestRead.duration()).as("longest read call").isLessThanOrEqualTo(bound);
				assertThat(frozenServed).as("reads served by the frozen standby while frozen").isZero();
			});
		}
	}

	@Test
	void writesOnAFrozenPrimaryFailWithinTheWriterTimeoutPlusACheckIntervalAndResumeSoonAfterTheThaw()
			throws Exception {
		try (PostgresCluster cluster = PostgresCluster.builder().name("frozen-primary").standbys(2).start()) {
			ClusterWork.createTable(cluster);
			PostgresNode frozen = cluster.primary();
			ClusterWork.runner(cluster).run((context) -> {
				ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
				Duration interval = context.getBean(TopologyMonitor.class).interval();
				Duration writeBound = TandemPools.WRITER_CONNECTION_TIMEOUT.plus(interval);
				Duration readBound = TandemPools.READER_CONNECTION_TIMEOUT.plus(interval);
				long thawed;
				Load writes = new Load("writer", 1, work::insert);
				Load reads = new Load("reader", 2, work::read);
				try (writes; reads) {
					await().atMost(WAIT)
						.until(() -> writes.count(Load.Call::ok) >= 20 && reads.count(Load.Call::ok) >= 20);
					cluster.freeze(frozen);
					try {
						// The freeze's length is the condition under test, not a wait for
						// one.
						Thread.sleep(FREEZE.toMillis());
					}
					finally {
						cluster.thaw(frozen);
					}
					thawed = System.nanoTime();
					await().atMost(WAIT).until(() -> writes.count((call) -> call.ok() && call.end() > thawed) >= 20);
				}
				Load.Call firstWrite = writes.first((call) -> call.ok() && call.end() > thawed).orElseThrow();
				Duration thawToWrite = Duration.ofNanos(firstWrite.end() - thawed);
				Duration longestWrite = longest(writes).duration();
				Duration longestRead = longest(reads).duration();
				long failedWrites = writes.count((call) -> !call.ok());
				long failFast = writes.count((call) -> call.failedWith(NoPrimaryAvailableException.class));
				long connectionLost = writes.count(FrozenNodeIntegrationTests::lostItsConnection);
				long failedReads = reads.count((call) -> !call.ok());
				logger.info("FROZEN primary {} s: longest write call {} ms (bound {} ms), longest read call {} ms "
						+ "(bound {} ms), thaw->first write {} ms, writes {} ({} failed: {} fast with no primary, "
						+ "{} with a connection error), reads {} ({} failed)", FREEZE.toSeconds(),
						longestWrite.toMillis(), writeBound.toMillis(), longestRead.toMillis(), readBound.toMillis(),
						thawToWrite.toMillis(), writes.calls().size(), failedWrites, failFast, connectionLost,
						reads.calls().size(), failedReads);
				assertThat(failedReads).as("failed reads").isZero();
				assertThat(longestWrite).as("longest write call").isLessThanOrEqualTo(writeBound);
				assertThat(longestRead).as("longest read call").isLessThanOrEqualTo(readBound);
				assertThat(thawToWrite).as("thaw -> first write").isLessThanOrEqualTo(Duration.ofSeconds(2));
				assertThat(firstWrite.node().port()).isEqualTo(frozen.port());
				assertThat(failedWrites).as("failed writes that do not say the primary is lost")
					.isEqualTo(failFast + connectionLost);
			});
		}
	}

	private static boolean servedBy(Load.Call call, PostgresNode node) {
		return call.ok() && call.node().port() == node.port();
	}

	/**
	 * Whether a call failed with a connection error (SQLState class {@code 08}), as a
	 * call running on a connection that was aborted does; a refusal while no primary is
	 * known, which carries {@code 08001} too, does not count.
	 */
	private static boolean lostItsConnection(Load.Call call) {
		if (call.failedWith(NoPrimaryAvailableException.class)) {
			return false;
		}
		for (Throwable cause = call.failure(); cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
				return true;
			}
		}
		return false;
	}

	private static Load.Call longest(Load load) {
		return load.calls().stream().max(Comparator.comparing(Load.Call::duration)).orElseThrow();
	}

	private static long millis(long nanos) {
		return Duration.ofNanos(nanos).toMillis();
	}

}
