package dev.tandem.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each {@code tandem.reads.balance} strategy spreads or concentrates reads as it should,
 * proved by the port of the standby that served each read.
 */
class BalanceIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	private static List<Integer> standbyPorts;

	@BeforeAll
	static void prepare() throws Exception {
		ClusterWork.createTable(cluster.cluster());
		standbyPorts = cluster.cluster().standbys().stream().map(PostgresNode::port).toList();
	}

	@Test
	void roundRobinAlternatesBetweenTheStandbys() {
		ClusterWork.runner(cluster.cluster(), "tandem.reads.balance=round-robin").run((context) -> {
			ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
			List<Integer> ports = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				ports.add(work.read().port());
			}
			for (int i = 1; i < ports.size(); i++) {
				assertThat(ports.get(i)).as("read %d", i).isNotEqualTo(ports.get(i - 1));
			}
			assertThat(count(ports)).containsOnlyKeys(standbyPorts).containsValues(10L, 10L);
		});
	}

	@Test
	void randomSpreadsOverBothStandbysWithoutAPattern() {
		ClusterWork.runner(cluster.cluster(), "tandem.reads.balance=random").run((context) -> {
			ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
			List<Integer> ports = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				ports.add(work.read().port());
			}
			// Each share is binomial(200, 0.5): outside 60..140 with a probability below
			// one in ten million.
			assertThat(count(ports)).containsOnlyKeys(standbyPorts)
				.allSatisfy((port, reads) -> assertThat(reads).isBetween(60L, 140L));
			long repeats = 0;
			for (int i = 1; i < ports.size(); i++) {
				repeats += ports.get(i).equals(ports.get(i - 1)) ? 1 : 0;
			}
			// Round-robin never repeats a standby; random does about half the time.
			assertThat(repeats).isBetween(50L, 150L);
		});
	}

	@Test
	void leastActiveAvoidsTheStandbyWhoseConnectionsAreBusy() throws Exception {
		ClusterWork.runner(cluster.cluster(), "tandem.reads.balance=least-active").run((context) -> {
			ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
			TransactionTemplate readOnly = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
			readOnly.setReadOnly(true);
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
			CountDownLatch holding = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			// Another thread keeps a read-only transaction open, so one standby has a
			// busy
			// connection.
			CompletableFuture<Integer> busy = CompletableFuture.supplyAsync(() -> readOnly.execute((status) -> {
				int port = ServingNode.ask(jdbc).port();
				holding.countDown();
				try {
					release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				return port;
			}));
			assertThat(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			List<Integer> ports = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				ports.add(work.read().port());
			}
			release.countDown();
			int busyPort = busy.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			assertThat(ports).hasSize(20).doesNotContain(busyPort);
			assertThat(standbyPorts).contains(busyPort);
			// With no connection busy, least-active breaks ties in turn.
			List<Integer> idle = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				idle.add(work.read().port());
			}
			assertThat(count(idle)).containsOnlyKeys(standbyPorts);
		});
	}

	private static Map<Integer, Long> count(List<Integer> ports) {
		return ports.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
	}

}
