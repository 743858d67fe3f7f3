package dev.tandem.autoconfigure;

import dev.tandem.actuate.RoutingMetrics;
import dev.tandem.actuate.RoutingObservations;
import dev.tandem.routing.RoutingObserver;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TandemObservationAutoConfiguration}: its conditions, with no server.
 * Observations on a real cluster are in
 * {@code dev.tandem.actuate.RoutingObservationsIntegrationTests}. Tandem's
 * auto-configurations are listed before Spring Boot's on purpose: the ordering
 * annotations, not the list, must put the observer after the registry.
 */
class TandemObservationAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(TandemAutoConfiguration.class, TandemObservationAutoConfiguration.class,
						TransactionAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class))
		.withPropertyValues("tandem.url=" + TandemAutoConfigurationTests.URL);

	private final ApplicationContextRunner withRegistry = this.runner.withBean(ObservationRegistry.class,
			TestObservationRegistry::create);

	@Test
	void runWithObservationRegistryObservesRouting() {
		this.withRegistry.run((context) -> assertThat(context).hasSingleBean(RoutingObservations.class));
	}

	@Test
	void runWithSpringBootsObservationRegistryObservesRouting() {
		this.runner.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
			.run((context) -> assertThat(context).hasSingleBean(ObservationRegistry.class)
				.hasSingleBean(RoutingObservations.class));
	}

	@Test
	void runWithoutObservationRegistryObservesNothing() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(ObservationRegistry.class).doesNotHaveBean(RoutingObservations.class);
		});
	}

	@Test
	void runWithObservationsDisabledObservesNothing() {
		this.withRegistry.withPropertyValues("tandem.observations.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(ObservationRegistry.class)
				.doesNotHaveBean(RoutingObservations.class));
	}

	@Test
	void runWithoutMicrometerObservationObservesNothing() {
		this.runner.withClassLoader(new FilteredClassLoader("io.micrometer.observation")).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(RoutingObservations.class);
		});
	}

	@Test
	void runWhenTandemIsDisabledObservesNothing() {
		this.withRegistry.withPropertyValues("tandem.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RoutingObservations.class));
	}

	@Test
	void runWithMeterRegistryKeepsTheRoutingMetersBesideTheObservations() {
		this.withRegistry
			.withConfiguration(
					AutoConfigurations.of(TandemMetricsAutoConfiguration.class, MetricsAutoConfiguration.class,
							SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(RoutingMetrics.class).hasSingleBean(RoutingObservations.class);
				assertThat(context.getBeansOfType(RoutingObserver.class)).hasSize(2);
			});
	}

}
