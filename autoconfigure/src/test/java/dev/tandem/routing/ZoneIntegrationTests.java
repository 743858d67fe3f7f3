package dev.tandem.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.tandem.ReadZone;
import dev.tandem.actuate.TandemEndpoint;
import dev.tandem.actuate.TandemHealthContributor;
import dev.tandem.actuate.TandemMeters;
import dev.tandem.autoconfigure.TandemAutoConfiguration;
import dev.tandem.autoconfigure.TandemHealthContributorAutoConfiguration;
import dev.tandem.autoconfigure.TandemMetricsAutoConfiguration;
import dev.tandem.pool.TandemPools;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.testkit.TcpBalancer;
import dev.tandem.topology.Rotation;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.url.HostAndPort;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Zones and the nearest standby on a real cluster of a primary and two standbys: standby
 * 0 is zone {@code a}, standby 1 zone {@code b}. Each read asks the serving node its
 * port.
 */
class ZoneIntegrationTests {

	private static final Logger logger = LoggerFactory.getLogger(ZoneIntegrationTests.class);

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final Duration INTERVAL = Duration.ofMillis(200);

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	private static PostgresNode a;

	private static PostgresNode b;

	@BeforeAll
	static void prepare() throws Exception {
		ClusterWork.createTable(cluster.cluster());
		a = cluster.cluster().standbys().get(0);
		b = cluster.cluster().standbys().get(1);
	}

	private static String[] zones(String... more) {
		List<String> properties = new ArrayList<>(List.of("tandem.zones.a=" + address(a),
				"tandem.zones.b=" + address(b), "tandem.topology.check-interval=" + INTERVAL.toMillis() + "ms"));
		properties.addAll(List.of(more));
		return properties.toArray(String[]::new);
	}

	@Test
	void readsGoToTheStandbyOfTheInstancesZone() {
		ClusterWork.runner(cluster.cluster(), zones("tandem.reads.zone=b")).run((context) -> {
			ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
			Map<Integer, Long> ports = ports(work, 100);
			logger.info("ZONE reads with tandem.reads.zone=b: {}", ports);
			assertThat(ports.getOrDefault(b.port(), 0L)).isGreaterThanOrEqualTo(95);
		});
	}

	@Test
	void readZoneInCodeSendsABlocksReadsToItsZone() {
		ClusterWork.runner(cluster.cluster(), zones("tandem.reads.zone=b")).run((context) -> {
			ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
			Map<Integer, Long> inA = ReadZone.callWith("a", () -> ports(work, 50));
			assertThat(inA).containsOnlyKeys(a.port());
			assertThat(ports(work, 10)).containsOnlyKeys(b.port());
		});
	}

	@Test
	void theZoneHeaderPicksTheZoneOfEachRequest() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class, TransactionAutoConfiguration.class,
					DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class))
			.withUserConfiguration(ClusterWork.App.class)
			.withPropertyValues("tandem.url=" + cluster.cluster().libpqUrl())
			.withPropertyValues(zones("tandem.reads.zone=b", "tandem.reads.zone-header=X-Zone"))
			.run((context) -> {
				ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
				ZoneHeaderFilter filter = context.getBean(ZoneHeaderFilter.class);
				for (String zone : List.of("a", "b", "a", "nowhere", "")) {
					MockHttpServletRequest request = new MockHttpServletRequest("GET", "/things");
					request.addHeader("X-Zone", zone);
					List<Integer> ports = new ArrayList<>();
					filter.doFilter(request, new MockHttpServletResponse(), (req, res) -> {
						for (int i = 0; i < 10; i++) {
							ports.add(work.read().port());
						}
					});
					// An unknown or empty zone: the instance's own (b).
					int expected = "a".equals(zone) ? a.port() : b.port();
					assertThat(ports).as("zone header '%s'", zone).containsOnly(expected);
				}
			});
	}

	@Test
	void aLaggingStandbyOfTheZoneLeavesItsReadsToTheOtherZoneUntilItCatchesUp() throws Exception {
		PostgresCluster postgres = cluster.cluster();
		HostAndPort bNode = new HostAndPort(b.host(), b.port());
		ClusterWork.runner(postgres, zones("tandem.reads.zone=b", "tandem.reads.max-lag=1s")).run((context) -> {
			ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
			TopologyMonitor monitor = context.getBean(TopologyMonitor.class);
			assertThat(ports(work, 10)).containsOnlyKeys(b.port());
			AtomicBoolean writing = new AtomicBoolean(true);
			Thread writer = ClusterWork.writeSteadily(postgres, writing);
			try {
				Instant started = Instant.now();
				await().atMost(WAIT).until(() -> ClusterWork.lastReplayedCommit(b).isAfter(started));
				b.pauseReplay();
				await().atMost(WAIT)
					.pollInterval(Duration.ofMillis(20))
					.until(() -> rotation(monitor, bNode) == Rotation.LAGGING);
				assertThat(ports(work, 20)).containsOnlyKeys(a.port());
				b.resumeReplay();
				long resumed = System.nanoTime();
				await().atMost(WAIT)
					.pollInterval(Duration.ofMillis(20))
					.until(() -> rotation(monitor, bNode) == Rotation.IN_ROTATION);
				long rejoined = System.nanoTime();
				await().atMost(INTERVAL.multipliedBy(5))
					.pollInterval(Duration.ofMillis(10))
					.until(() -> work.read().port() == b.port());
				long back = System.nanoTime();
				logger.info("ZONE b's standby back in rotation {} ms after replay resumed; its zone's reads back {} ms "
						+ "later", (rejoined - resumed) / 1_000_000, (back - rejoined) / 1_000_000);
				assertThat(ports(work, 20)).containsOnlyKeys(b.port());
			}
			finally {
				writing.set(false);
				writer.join(WAIT.toMillis());
				b.resumeReplay();
			}
		});
	}

	@Test
	void nearestSendsReadsToTheStandbyWithTheShorterRoundTrip() throws Exception {
		PostgresCluster postgres = cluster.cluster();
		try (TcpBalancer far = TcpBalancer.forNodes(b)) {
			far.delay(b, Duration.ofMillis(20));
			String farAddress = far.host() + ":" + far.port();
			String url = postgres.libpqUrl().replace(address(b), farAddress);
			assertThat(url).contains(farAddress);
			ClusterWork
				.runner(url, "tandem.reads.balance=nearest",
						"tandem.topology.check-interval=" + INTERVAL.toMillis() + "ms")
				.run((context) -> {
					ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
					TopologyMonitor monitor = context.getBean(TopologyMonitor.class);
					HostAndPort farNode = new HostAndPort(far.host(), far.port());
					HostAndPort nearNode = new HostAndPort(a.host(), a.port());
					await().atMost(WAIT)
						.until(() -> monitor.roundTripNanos(farNode) > Duration.ofMillis(15).toNanos()
								&& monitor.roundTripNanos(nearNode) >= 0
								&& rotation(monitor, farNode) == Rotation.IN_ROTATION);
					Map<Integer, Long> ports = ports(work, 100);
					logger.info("ZONE nearest: round trips near {} µs, far {} µs; reads {}",
							monitor.roundTripNanos(nearNode) / 1000, monitor.roundTripNanos(farNode) / 1000, ports);
					assertThat(ports.getOrDefault(a.port(), 0L)).isGreaterThanOrEqualTo(95);
				});
		}
	}

	@Test
	void theEndpointHealthAndMetersShowEachNodesZoneAndRoundTrip() {
		ClusterWork.runner(cluster.cluster(), zones("tandem.reads.zone=b"))
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					TandemMetricsAutoConfiguration.class, TandemHealthContributorAutoConfiguration.class))
			.run((context) -> {
				TopologyMonitor monitor = context.getBean(TopologyMonitor.class);
				HostAndPort bNode = new HostAndPort(b.host(), b.port());
				await().atMost(WAIT).until(() -> monitor.roundTripNanos(bNode) >= 0);
				TandemEndpoint.TandemDescriptor described = new TandemEndpoint(monitor,
						context.getBean(ReaderSelector.class), context.getBean(TandemPools.class))
					.tandem();
				assertThat(described.zone()).isEqualTo("b");
				Map<String, TandemEndpoint.NodeDescriptor> nodes = described.nodes()
					.stream()
					.collect(Collectors.toMap(TandemEndpoint.NodeDescriptor::node, Function.identity()));
				assertThat(nodes.get(address(a)).zone()).isEqualTo("a");
				assertThat(nodes.get(address(b)).zone()).isEqualTo("b");
				assertThat(nodes.get(address(cluster.cluster().primary())).zone()).isNull();
				assertThat(nodes.get(address(b)).roundTripMs()).isPositive().isLessThan(1000.0);
				Health health = ((HealthIndicator) context.getBean(TandemHealthContributor.class)
					.getContributor(b.host() + "-" + b.port())).health();
				assertThat(health.getDetails()).containsEntry("zone", "b").containsKey("roundTripMs");
				double roundTrip = context.getBean(MeterRegistry.class)
					.get(TandemMeters.NODE_ROUND_TRIP)
					.tag(TandemMeters.NODE, bNode.toString())
					.gauge()
					.value();
				assertThat(roundTrip).isPositive().isLessThan(1.0);
				// The routing meter tells a read served in its zone.
				context.getBean(ClusterWork.Work.class).read();
				assertThat(context.getBean(MeterRegistry.class)
					.get(TandemMeters.ROUTING_DECISIONS)
					.tag(TandemMeters.REASON, "zone")
					.counter()
					.count()).isPositive();
			});
	}

	private static String address(PostgresNode node) {
		return node.host() + ":" + node.port();
	}

	private static Map<Integer, Long> ports(ClusterWork.Work work, int reads) {
		List<Integer> ports = new ArrayList<>();
		for (int i = 0; i < reads; i++) {
			ServingNode node = work.read();
			assertThat(node.standby()).isTrue();
			ports.add(node.port());
		}
		return ports.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
	}

	private static Rotation rotation(TopologyMonitor monitor, HostAndPort node) {
		return monitor.snapshot().node(node).orElseThrow().rotation();
	}

}
