package dev.tandem.autoconfigure;

import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.tandem.actuate.RoutingMetrics;
import dev.tandem.actuate.TandemMeters;
import dev.tandem.actuate.TopologyMetrics;
import dev.tandem.pool.TandemPools;
import dev.tandem.routing.ReadChoice;
import dev.tandem.routing.RoutingObserver;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.url.HostAndPort;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link TandemMetricsAutoConfiguration}, on a real primary with two standbys.
 * Tandem's auto-configuration is listed before Spring Boot's metrics auto-configurations
 * on purpose: the ordering annotations, not the list, must put the meters after the
 * registry.
 */
class TandemMetricsAutoConfigurationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class, TandemMetricsAutoConfiguration.class,
				TransactionAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class))
		.withPropertyValues("tandem.url=" + cluster.libpqUrl());

	private final ApplicationContextRunner withMetrics = this.runner
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class));

	@Test
	void runWithMeterRegistryCountsRoutingDecisions() {
		this.withMetrics.run((context) -> {
			assertThat(context).hasSingleBean(RoutingMetrics.class).hasSingleBean(TopologyMetrics.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			double reads = decisions(registry, "standby", "standby");
			double writes = decisions(registry, "primary", "write");
			int port = servedBy(context, true);
			assertThat(port).isIn(cluster.cluster().node(1).port(), cluster.cluster().node(2).port());
			assertThat(decisions(registry, "standby", "standby")).isEqualTo(reads + 1);
			servedBy(context, false);
			assertThat(decisions(registry, "primary", "write")).isEqualTo(writes + 1);
			assertThat(registry.find(TandemMeters.ROUTING_DECISIONS).counters()).hasSize(7);
			assertThat(registry.get(TandemMeters.READ_RETRIES).counter().count()).isZero();
		});
	}

	@Test
	void runWithMeterRegistryMapsEveryReasonToItsTarget() {
		this.withMetrics.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			RoutingObserver observer = context.getBean(RoutingObserver.class);
			HostAndPort node = new HostAndPort("127.0.0.1", 5432);
			observer.readRouted(new ReadChoice(node, ReadChoice.Reason.PRIMARY_DOWN));
			observer.readRouted(new ReadChoice(node, ReadChoice.Reason.TARGET));
			observer.readRouted(new ReadChoice(null, ReadChoice.Reason.NO_STANDBY));
			observer.readRouted(new ReadChoice(node, ReadChoice.Reason.CONSISTENT_STANDBY));
			observer.readRouted(new ReadChoice(node, ReadChoice.Reason.CONSISTENCY_PRIMARY));
			observer.readRetried(2, new IllegalStateException("lost"));
			assertThat(decisions(registry, "standby", "primary-down")).isOne();
			assertThat(decisions(registry, "primary", "target")).isOne();
			assertThat(decisions(registry, "primary", "no-standby")).isOne();
			assertThat(decisions(registry, "standby", "consistent-standby")).isOne();
			assertThat(decisions(registry, "primary", "consistency-primary")).isOne();
			assertThat(registry.get(TandemMeters.READ_RETRIES).counter().count()).isOne();
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
			int port = servedBy(context, true);
			HikariDataSource reader = pools.reader(new HostAndPort("127.0.0.1", port));
			assertThat(reader.getMetricsTrackerFactory()).isInstanceOf(MicrometerMetricsTrackerFactory.class);
			assertThat(registry.find("hikaricp.connections").tag("pool", "tandem-reader-127.0.0.1-" + port).gauge())
				.isNotNull();
		});
	}

	@Test
	void runWithPoolCustomizerThatSetsATrackerKeepsIt() {
		this.withMetrics.withUserConfiguration(UserTracker.class).run((context) -> {
			TandemPools pools = context.getBean(TandemPools.class);
			assertThat(pools.writer().getMetricsTrackerFactory()).isSameAs(UserTracker.FACTORY);
		});
	}

	@Test
	void runWithoutMeterRegistryRegistersNoMeters() {
		this.runner.run((context) -> {
			assertThat(context).doesNotHaveBean(RoutingMetrics.class)
				.doesNotHaveBean(TopologyMetrics.class)
				.doesNotHaveBean(TandemPoolCustomizer.class);
			assertThat(context.getBean(TandemPools.class).writer().getMetricsTrackerFactory()).isNull();
			assertThat(servedBy(context, true)).isIn(cluster.cluster().node(1).port(),
					cluster.cluster().node(2).port());
		});
	}

	@Test
	void runWithoutMicrometerRegistersNoMeters() {
		this.runner.withClassLoader(new FilteredClassLoader("io.micrometer")).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(RoutingMetrics.class).doesNotHaveBean(TopologyMetrics.class);
		});
	}

	@Test
	void runWithUserDefinedRoutingObserverBacksOff() {
		this.withMetrics.withUserConfiguration(UserObserver.class).run((context) -> {
			assertThat(context).doesNotHaveBean(RoutingMetrics.class).hasSingleBean(TopologyMetrics.class);
			servedBy(context, true);
			assertThat(context.getBean(UserObserver.class).reads).isOne();
		});
	}

	@Test
	void runWhenTandemIsDisabledRegistersNoMeters() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class,
					TandemMetricsAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
			.withPropertyValues("tandem.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(MeterRegistry.class)
				.doesNotHaveBean(RoutingMetrics.class)
				.doesNotHaveBean(TopologyMetrics.class));
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

	private static int servedBy(ApplicationContext context, boolean readOnly) {
		TransactionTemplate template = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
		template.setReadOnly(readOnly);
		JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
		Integer port = template.execute((status) -> jdbc.queryForObject("SELECT inet_server_port()", Integer.class));
		assertThat(port).isNotNull();
		return port;
	}

	@Configuration(proxyBeanMethods = false)
	static class UserTracker {

		static final MicrometerMetricsTrackerFactory FACTORY = new MicrometerMetricsTrackerFactory(
				new SimpleMeterRegistry());

		@Bean
		TandemPoolCustomizer userTracker() {
			return (config) -> config.setMetricsTrackerFactory(FACTORY);
		}

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
