package dev.tandem.autoconfigure;

import java.time.Duration;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.tandem.actuate.RoutingMetrics;
import dev.tandem.actuate.TandemEndpoint;
import dev.tandem.actuate.TandemEndpoint.NodeDescriptor;
import dev.tandem.actuate.TandemEndpoint.TandemDescriptor;
import dev.tandem.actuate.TandemHealthContributor;
import dev.tandem.actuate.TandemMeters;
import dev.tandem.actuate.TopologyMetrics;
import dev.tandem.pool.TandemPools;
import dev.tandem.routing.ReadChoice;
import dev.tandem.routing.RoutingObserver;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.url.HostAndPort;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for the Actuator auto-configurations
 * ({@link TandemEndpointAutoConfiguration},
 * {@link TandemHealthContributorAutoConfiguration},
 * {@link TandemMetricsAutoConfiguration}) on one real primary with two standbys: what the
 * endpoint, the health contributor and the meters report about real nodes and real
 * routing. Their conditions need no server and are in each auto-configuration's own
 * tests. Tandem's auto-configuration is listed before Spring Boot's metrics
 * auto-configurations on purpose: the ordering annotations, not the list, must put the
 * meters after the registry.
 */
class ActuatorAutoConfigurationsIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	private final ApplicationContextRunner endpoint = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class, TandemEndpointAutoConfiguration.class,
				EndpointAutoConfiguration.class));

	private final ApplicationContextRunner health = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class,
				TandemHealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class));

	private final ApplicationContextRunner metrics = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class, TandemMetricsAutoConfiguration.class,
				TransactionAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class))
		.withPropertyValues("tandem.url=" + cluster.libpqUrl());

	private final ApplicationContextRunner withMetrics = this.metrics
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class));

	@Test
	void runWhenEndpointIsExposedRegistersItWithTheSnapshot() {
		this.endpoint
			.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "management.endpoints.web.exposure.include=tandem",
					"tandem.reads.max-lag=250ms", "tandem.reads.max-lag-bytes=16MB", "tandem.reads.balance=random")
			.run((context) -> {
				assertThat(context).hasSingleBean(TandemEndpoint.class);
				TandemDescriptor descriptor = context.getBean(TandemEndpoint.class).tandem();
				PostgresNode primary = cluster.cluster().node(0);
				assertThat(descriptor.readTarget()).isEqualTo("prefer-standby");
				assertThat(descriptor.balance()).isEqualTo("random");
				assertThat(descriptor.maxLag()).isEqualTo("250ms");
				assertThat(descriptor.maxLagBytes()).isEqualTo(16L * 1024 * 1024);
				assertThat(descriptor.checkInterval()).isEqualTo("1s");
				assertThat(descriptor.primary()).isEqualTo("127.0.0.1:" + primary.port());
				assertThat(descriptor.primaryDown()).isFalse();
				assertThat(descriptor.takenAt()).isNotNull();
				assertThat(descriptor.nodes()).extracting(NodeDescriptor::node)
					.containsExactlyElementsOf(
							cluster.cluster().nodes().stream().map((node) -> "127.0.0.1:" + node.port()).toList());
				assertThat(descriptor.nodes()).extracting(NodeDescriptor::role)
					.containsExactly("primary", "standby", "standby");
				assertThat(descriptor.pools()).containsOnlyKeys("tandem-writer");
				// With a 250 ms lag limit, one check may find a standby that has received
				// a
				// record (a checkpoint's, say) it has not replayed yet, whose last
				// replayed
				// commit is older than the limit: lagging until the next check.
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(context.getBean(TandemEndpoint.class).tandem().nodes())
						.extracting(NodeDescriptor::state)
						.containsExactly("primary", "in-rotation", "in-rotation"));
			});
	}

	@Test
	void runWithHealthRegistersTandemContributorWithOneUpComponentPerNode() {
		this.health.withPropertyValues("tandem.url=" + cluster.libpqUrl()).run((context) -> {
			assertThat(context).hasSingleBean(TandemHealthContributor.class);
			HealthContributor registered = context.getBean(HealthContributorRegistry.class).getContributor("tandem");
			assertThat(registered).isInstanceOf(CompositeHealthContributor.class);
			List<String> names = ((HealthContributors) registered).stream()
				.map(HealthContributors.Entry::name)
				.toList();
			assertThat(names).containsExactlyElementsOf(
					cluster.cluster().nodes().stream().map((node) -> "127.0.0.1-" + node.port()).toList());
			PostgresNode primary = cluster.cluster().node(0);
			Health health = health((CompositeHealthContributor) registered, "127.0.0.1-" + primary.port());
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("role", "primary")
				.containsEntry("state", "primary")
				.containsEntry("inRotation", false)
				.containsKeys("walLsn", "checkedAt")
				.doesNotContainKeys("lagBytes", "lagSeconds", "error");
			String standby = "127.0.0.1-" + cluster.cluster().node(1).port();
			// Bytes are known once the standby is checked after the primary's first
			// check.
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				Health standbyHealth = health((CompositeHealthContributor) registered, standby);
				assertThat(standbyHealth.getStatus()).isEqualTo(Status.UP);
				assertThat(standbyHealth.getDetails()).containsEntry("role", "standby")
					.containsEntry("state", "in-rotation")
					.containsEntry("inRotation", true)
					.containsKeys("lagBytes", "lagSeconds", "walLsn", "checkedAt")
					.doesNotContainKey("error");
				assertThat(standbyHealth.getDetails().get("lagSeconds")).isInstanceOf(Double.class);
				assertThat(standbyHealth.getDetails().get("lagBytes")).isInstanceOf(Long.class);
			});
		});
	}

	@Test
	void runWithMeterRegistryCountsRoutingDecisions() {
		this.withMetrics.run((context) -> {
			assertThat(context).hasSingleBean(RoutingMetrics.class).hasSingleBean(TopologyMetrics.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			double reads = decisions(registry, "standby", "standby");
			double writes = decisions(registry, "primary", "write");
			int port = ServedBy.port(context, true);
			assertThat(port).isIn(cluster.cluster().node(1).port(), cluster.cluster().node(2).port());
			assertThat(decisions(registry, "standby", "standby")).isEqualTo(reads + 1);
			ServedBy.port(context, false);
			assertThat(decisions(registry, "primary", "write")).isEqualTo(writes + 1);
			assertThat(registry.find(TandemMeters.ROUTING_DECISIONS).counters())
				.hasSize(1 + ReadChoice.Reason.values().length);
			assertThat(registry.get(TandemMeters.READ_RETRIES).counter().count()).isZero();
		});
	}

	@Test
	void runWithMeterRegistryReportsNodeGauges() {
		this.withMetrics.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			PostgresNode primary = cluster.cluster().node(0);
			PostgresNode standby = cluster.cluster().node(1);
			assertThat(gauge(registry, TandemMeters.NODE_IN_ROTATION, primary)).isZero();
			assertThat(gauge(registry, TandemMeters.NODE_IN_ROTATION, standby)).isOne();
			assertThat(gauge(registry, TandemMeters.NODE_LAG, primary)).isNaN();
			assertThat(gauge(registry, TandemMeters.NODE_LAG, standby)).isGreaterThanOrEqualTo(0);
			// Bytes are known once the standby is checked after the primary's first
			// check.
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(gauge(registry, TandemMeters.NODE_LAG_BYTES, standby))
					.isGreaterThanOrEqualTo(0));
			assertThat(registry.get(TandemMeters.NODE_LAG)
				.tag(TandemMeters.NODE, "127.0.0.1:" + standby.port())
				.gauge()
				.getId()
				.getBaseUnit()).isEqualTo("seconds");
			assertThat(registry.get(TandemMeters.READERS_IN_ROTATION).gauge().value()).isEqualTo(2);
			assertThat(registry.get(TandemMeters.NODE_ROLE_CHANGES)
				.tag(TandemMeters.NODE, "127.0.0.1:" + primary.port())
				.counter()
				.count()).isZero();
		});
	}

	@Test
	void runWithMeterRegistryGivesEveryPoolHikariMeters() {
		this.withMetrics.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			TandemPools pools = context.getBean(TandemPools.class);
			assertThat(pools.writer().getMetricsTrackerFactory()).isInstanceOf(MicrometerMetricsTrackerFactory.class);
			assertThat(registry.find("hikaricp.connections").tag("pool", "tandem-writer").gauge()).isNotNull();
			int port = ServedBy.port(context, true);
			HikariDataSource reader = pools.reader(new HostAndPort("127.0.0.1", port));
			assertThat(reader.getMetricsTrackerFactory()).isInstanceOf(MicrometerMetricsTrackerFactory.class);
			assertThat(registry.find("hikaricp.connections").tag("pool", "tandem-reader-127.0.0.1-" + port).gauge())
				.isNotNull();
		});
	}

	@Test
	void runWithUserDefinedRoutingObserverBacksOff() {
		this.withMetrics.withUserConfiguration(UserObserver.class).run((context) -> {
			assertThat(context).doesNotHaveBean(RoutingMetrics.class).hasSingleBean(TopologyMetrics.class);
			ServedBy.port(context, true);
			assertThat(context.getBean(UserObserver.class).reads).isOne();
		});
	}

	@Test
	void runWithoutMeterRegistryStillRoutesReadsToAStandby() {
		this.metrics.run((context) -> {
			assertThat(context).doesNotHaveBean(RoutingMetrics.class);
			assertThat(ServedBy.port(context, true)).isIn(cluster.cluster().node(1).port(),
					cluster.cluster().node(2).port());
		});
	}

	private static Health health(CompositeHealthContributor composite, String name) {
		HealthContributor component = composite.getContributor(name);
		assertThat(component).as("component %s", name).isInstanceOf(HealthIndicator.class);
		Health health = ((HealthIndicator) component).health();
		assertThat(health).isNotNull();
		return health;
	}

	private static double decisions(MeterRegistry registry, String target, String reason) {
		return registry.get(TandemMeters.ROUTING_DECISIONS)
			.tag(TandemMeters.TARGET, target)
			.tag(TandemMeters.REASON, reason)
			.counter()
			.count();
	}

	private static double gauge(MeterRegistry registry, String name, PostgresNode node) {
		return registry.get(name).tag(TandemMeters.NODE, "127.0.0.1:" + node.port()).gauge().value();
	}

	@Configuration(proxyBeanMethods = false)
	static class UserObserver implements RoutingObserver {

		int reads;

		@Override
		public void readRouted(ReadChoice choice) {
			this.reads++;
		}

	}

}
