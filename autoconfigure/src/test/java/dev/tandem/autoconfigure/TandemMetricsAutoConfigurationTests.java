package dev.tandem.autoconfigure;

import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.tandem.actuate.RoutingMetrics;
import dev.tandem.actuate.TandemMeters;
import dev.tandem.actuate.TopologyMetrics;
import dev.tandem.pool.TandemPools;
import dev.tandem.routing.ReadChoice;
import dev.tandem.routing.RoutingObserver;
import dev.tandem.url.HostAndPort;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TandemMetricsAutoConfiguration}: its conditions, with no server.
 * Meters on a real cluster are in {@link ActuatorAutoConfigurationsIntegrationTests}.
 * Tandem's auto-configuration is listed before Spring Boot's metrics auto-configurations
 * on purpose: the ordering annotations, not the list, must put the meters after the
 * registry.
 */
class TandemMetricsAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class, TandemMetricsAutoConfiguration.class,
				TransactionAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class))
		.withPropertyValues("tandem.url=" + TandemAutoConfigurationTests.URL);

	private final ApplicationContextRunner withMetrics = this.runner
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class));

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

	@Configuration(proxyBeanMethods = false)
	static class UserTracker {

		static final MicrometerMetricsTrackerFactory FACTORY = new MicrometerMetricsTrackerFactory(
				new SimpleMeterRegistry());

		@Bean
		TandemPoolCustomizer userTracker() {
			return (config) -> config.setMetricsTrackerFactory(FACTORY);
		}

	}

}
