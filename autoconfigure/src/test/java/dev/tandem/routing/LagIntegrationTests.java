package dev.tandem.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.tandem.actuate.TandemHealthContributor;
import dev.tandem.actuate.TandemMeters;
import dev.tandem.autoconfigure.TandemHealthContributorAutoConfiguration;
import dev.tandem.autoconfigure.TandemMetricsAutoConfiguration;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.Rotation;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.url.HostAndPort;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A standby whose replay is paused while the primary keeps writing falls behind; past
 * {@code tandem.reads.max-lag} it stops serving reads, and after its replay resumes it
 * serves them again.
 */
class LagIntegrationTests {

	private static final Logger logger = LoggerFactory.getLogger(LagIntegrationTests.class);

	private static final Duration MAX_LAG = Duration.ofSeconds(1);

	private static final Duration INTERVAL = Duration.ofMillis(250);

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	@Test
	void aLaggingStandbyLeavesTheRotationWithinTwoChecksAndRejoinsAfterItCatchesUp() throws Exception {
		PostgresCluster postgres = cluster.cluster();
		ClusterWork.createTable(postgres);
		PostgresNode lagging = postgres.standbys().get(0);
		PostgresNode other = postgres.standbys().get(1);
		HostAndPort laggingNode = new HostAndPort(lagging.host(), lagging.port());
		runner(postgres)
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					TandemMetricsAutoConfiguration.class, TandemHealthContributorAutoConfiguration.class))
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				TandemHealthContributor health = context.getBean(TandemHealthContributor.class);
				String tag = laggingNode.toString();
				String component = laggingNode.host() + "-" + laggingNode.port();
				ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
				TopologyMonitor monitor = context.getBean(TopologyMonitor.class);
				assertThat(servedPorts(work, 10)).containsExactlyInAnyOrder(lagging.port(), other.port());
				AtomicBoolean writing = new AtomicBoolean(true);
				Thread writer = ClusterWork.writeSteadily(postgres, writing);
				try {
					// Pause only once the standby replays the steady writes, so that
					// its lag grows from the moment of the pause.
					Instant writing0 = Instant.now();
					await().atMost(WAIT).until(() -> ClusterWork.lastReplayedCommit(lagging).isAfter(writing0));
					lagging.pauseReplay();
					Instant lastReplayed = ClusterWork.lastReplayedCommit(lagging);
					Instant lagExceeded = lastReplayed.plus(MAX_LAG);
					await().atMost(WAIT)
						.pollInterval(Duration.ofMillis(10))
						.until(() -> rotation(monitor, laggingNode) == Rotation.LAGGING);
					Instant left = Instant.now();
					NodeStatus status = monitor.snapshot().node(laggingNode).orElseThrow();
					assertThat(status.replayLag()).isGreaterThan(MAX_LAG);
					assertThat(status.lagBytes()).isPositive();
					assertThat(servedPorts(work, 20)).containsOnly(other.port());
					assertThat(registry.get(TandemMeters.NODE_IN_ROTATION).tag(TandemMeters.NODE, tag).gauge().value())
						.isZero();
					assertThat(registry.get(TandemMeters.NODE_LAG).tag(TandemMeters.NODE, tag).gauge().value())
						.isGreaterThan(MAX_LAG.toMillis() / 1000.0);
					assertThat(registry.get(TandemMeters.NODE_LAG_BYTES).tag(TandemMeters.NODE, tag).gauge().value())
						.isPositive();
					assertThat(registry.get(TandemMeters.READERS_IN_ROTATION).gauge().value()).isEqualTo(1);
					Health lagged = health(health, component);
					assertThat(lagged.getStatus()).isEqualTo(Status.UP);
					assertThat(lagged.getDetails()).containsEntry("state", "lagging")
						.containsEntry("inRotation", false);
					Duration leaveDelay = Duration.between(lagExceeded, left);
					lagging.resumeReplay();
					Instant resumed = Instant.now();
					await().atMost(WAIT)
						.pollInterval(Duration.ofMillis(10))
						.until(() -> rotation(monitor, laggingNode) == Rotation.IN_ROTATION);
					Duration rejoinDelay = Duration.between(resumed, Instant.now());
					assertThat(servedPorts(work, 10)).containsExactlyInAnyOrder(lagging.port(), other.port());
					assertThat(registry.get(TandemMeters.NODE_IN_ROTATION).tag(TandemMeters.NODE, tag).gauge().value())
						.isEqualTo(1);
					assertThat(registry.get(TandemMeters.READERS_IN_ROTATION).gauge().value()).isEqualTo(2);
					assertThat(health(health, component).getDetails()).containsEntry("state", "in-rotation")
						.containsEntry("inRotation", true);
					logger.info(
							"LAG max-lag {} ms, check interval {} ms: left the rotation {} ms after its lag passed "
									+ "max-lag, rejoined {} ms after replay resumed",
							MAX_LAG.toMillis(), INTERVAL.toMillis(), leaveDelay.toMillis(), rejoinDelay.toMillis());
					assertThat(leaveDelay).isLessThanOrEqualTo(INTERVAL.multipliedBy(2));
				}
				finally {
					writing.set(false);
					writer.join(WAIT.toMillis());
				}
			});
	}

	@Test
	void aStandbyCutOffFromThePrimaryLeavesTheRotationAndRejoinsWhenItStreamsAgain() throws Exception {
		PostgresCluster postgres = cluster.cluster();
		ClusterWork.createTable(postgres);
		PostgresNode cutOff = postgres.standbys().get(1);
		PostgresNode other = postgres.standbys().get(0);
		HostAndPort cutOffNode = new HostAndPort(cutOff.host(), cutOff.port());
		runner(postgres).run((context) -> {
			ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
			TopologyMonitor monitor = context.getBean(TopologyMonitor.class);
			AtomicBoolean writing = new AtomicBoolean(true);
			Thread writer = ClusterWork.writeSteadily(postgres, writing);
			try {
				await().atMost(WAIT).until(() -> rotation(monitor, cutOffNode) == Rotation.IN_ROTATION);
				// Its WAL receiver now dials a closed port: it replays all it has
				// received, so only the primary moving on shows it is behind.
				ClusterWork.cutOff(cutOff);
				await().atMost(WAIT)
					.pollInterval(Duration.ofMillis(10))
					.until(() -> rotation(monitor, cutOffNode) == Rotation.LAGGING);
				assertThat(servedPorts(work, 10)).containsOnly(other.port());
				postgres.repointStandbys(postgres.primary());
				await().atMost(WAIT).until(() -> rotation(monitor, cutOffNode) == Rotation.IN_ROTATION);
				assertThat(servedPorts(work, 10)).containsExactlyInAnyOrder(cutOff.port(), other.port());
			}
			finally {
				writing.set(false);
				writer.join(WAIT.toMillis());
				postgres.repointStandbys(postgres.primary());
			}
		});
	}

	private static Health health(TandemHealthContributor health, String component) {
		return ((HealthIndicator) health.getContributor(component)).health();
	}

	/** Tandem over the cluster with a short lag limit and check interval. */
	private static ApplicationContextRunner runner(PostgresCluster postgres) {
		return ClusterWork.runner(postgres, "tandem.reads.max-lag=" + MAX_LAG.toMillis() + "ms",
				"tandem.topology.check-interval=" + INTERVAL.toMillis() + "ms");
	}

	private static Rotation rotation(TopologyMonitor monitor, HostAndPort node) {
		return monitor.snapshot().node(node).orElseThrow().rotation();
	}

	private static Set<Integer> servedPorts(ClusterWork.Work work, int reads) {
		Set<Integer> ports = new HashSet<>();
		for (int i = 0; i < reads; i++) {
			ServingNode node = work.read();
			assertThat(node.standby()).isTrue();
			ports.add(node.port());
		}
		return ports;
	}

}
