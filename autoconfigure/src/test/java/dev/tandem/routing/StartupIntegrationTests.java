package dev.tandem.routing;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * The application starts whichever nodes are down, and serves what the nodes that are up
 * can serve. Each test stops nodes of a fresh cluster.
 */
class StartupIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	/** A failure that does not wait on a connection timeout. */
	private static final Duration FAST = Duration.ofMillis(500);

	@Test
	void withThePrimaryDownReadsWorkWritesFailFastAndResumeWhenItIsBack() throws Exception {
		try (PostgresCluster cluster = PostgresCluster.builder().name("startup-no-primary").standbys(2).start()) {
			ClusterWork.createTable(cluster);
			PostgresNode primary = cluster.primary();
			primary.stop();
			ClusterWork.runner(cluster).run((context) -> {
				assertThat(context).hasNotFailed();
				ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
				ServingNode read = work.read();
				assertThat(read.standby()).isTrue();
				long start = System.nanoTime();
				assertThatException().isThrownBy(work::insert)
					.withRootCauseInstanceOf(NoPrimaryAvailableException.class)
					.withMessageContaining("No primary is reachable");
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(FAST);
				primary.start();
				await().atMost(WAIT).ignoreExceptions().until(() -> work.insert().port() == primary.port());
			});
		}
	}

	@Test
	void withAStandbyDownReadsGoToTheOtherUntilItIsBack() throws Exception {
		try (PostgresCluster cluster = PostgresCluster.builder().name("startup-no-standby").standbys(2).start()) {
			ClusterWork.createTable(cluster);
			PostgresNode down = cluster.standbys().get(0);
			PostgresNode up = cluster.standbys().get(1);
			down.stop();
			ClusterWork.runner(cluster).run((context) -> {
				assertThat(context).hasNotFailed();
				ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
				for (int i = 0; i < 10; i++) {
					assertThat(work.read().port()).isEqualTo(up.port());
				}
				assertThat(work.insert().port()).isEqualTo(cluster.primary().port());
				down.start();
				Set<Integer> ports = new HashSet<>();
				await().atMost(WAIT).until(() -> {
					ports.add(work.read().port());
					return ports.contains(down.port());
				});
			});
		}
	}

	@Test
	void withNoNodeReachableTheApplicationStartsAndEveryQueryFailsFast() {
		ClusterWork.runner("postgresql://app:secret@127.0.0.1:1,127.0.0.1:2/db").run((context) -> {
			assertThat(context).hasNotFailed();
			ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
			long start = System.nanoTime();
			assertThatException().isThrownBy(work::insert).withRootCauseInstanceOf(NoPrimaryAvailableException.class);
			assertThatException().isThrownBy(work::read).withRootCauseInstanceOf(NoPrimaryAvailableException.class);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(FAST.multipliedBy(2));
		});
	}

}
