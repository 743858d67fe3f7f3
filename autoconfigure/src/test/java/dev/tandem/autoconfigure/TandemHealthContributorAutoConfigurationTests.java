package dev.tandem.autoconfigure;

import java.util.List;

import dev.tandem.actuate.MarkerStoreHealthIndicator;
import dev.tandem.actuate.TandemHealthContributor;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TandemHealthContributorAutoConfiguration}: its conditions, with no
 * server. Health on a real cluster is in
 * {@link ActuatorAutoConfigurationsIntegrationTests}.
 */
class TandemHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class,
				TandemHealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class));

	@Test
	void runWithHealthRegistersOneDownComponentPerUnreachableNode() {
		this.runner.withPropertyValues("tandem.url=" + TandemAutoConfigurationTests.URL).run((context) -> {
			assertThat(context).hasSingleBean(TandemHealthContributor.class);
			HealthContributor registered = context.getBean(HealthContributorRegistry.class).getContributor("tandem");
			assertThat(registered).isInstanceOf(CompositeHealthContributor.class);
			List<String> names = ((HealthContributors) registered).stream()
				.map(HealthContributors.Entry::name)
				.toList();
			assertThat(names).containsExactly("127.0.0.1-1", "127.0.0.1-2", "127.0.0.1-3");
			for (String name : names) {
				assertThat(health((CompositeHealthContributor) registered, name).getStatus()).isEqualTo(Status.DOWN);
			}
		});
	}

	@Test
	void runWhenTandemHealthIsDisabledRegistersNoContributor() {
		this.runner
			.withPropertyValues("tandem.url=" + TandemAutoConfigurationTests.URL,
					"management.health.tandem.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(TandemHealthContributor.class);
				assertThat(context.getBean(HealthContributorRegistry.class).getContributor("tandem")).isNull();
			});
	}

	@Test
	void runWithHealthRegistersTheMarkerStoreHealth() {
		this.runner.withPropertyValues("tandem.url=" + TandemAutoConfigurationTests.URL).run((context) -> {
			HealthContributor markers = context.getBean(HealthContributorRegistry.class)
				.getContributor("tandemMarkers");
			assertThat(markers).isInstanceOf(MarkerStoreHealthIndicator.class);
			assertThat(((MarkerStoreHealthIndicator) markers).health().getDetails()).containsEntry("store", "memory");
		});
	}

	@Test
	void runWhenMarkerStoreHealthIsDisabledRegistersNoMarkerStoreHealth() {
		this.runner
			.withPropertyValues("tandem.url=" + TandemAutoConfigurationTests.URL,
					"management.health.tandem-markers.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(MarkerStoreHealthIndicator.class);
				assertThat(context).hasSingleBean(TandemHealthContributor.class);
			});
	}

	@Test
	void runWhenHealthDefaultsAreDisabledRegistersNoContributor() {
		this.runner
			.withPropertyValues("tandem.url=" + TandemAutoConfigurationTests.URL,
					"management.health.defaults.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(TandemHealthContributor.class));
	}

	@Test
	void runWithoutSpringBootHealthRegistersNoContributor() {
		this.runner.withPropertyValues("tandem.url=" + TandemAutoConfigurationTests.URL)
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(TandemHealthContributor.class);
			});
	}

	@Test
	void runWhenTandemIsDisabledRegistersNoContributor() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class,
					TandemHealthContributorAutoConfiguration.class))
			.withPropertyValues("tandem.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(TandemHealthContributor.class));
	}

	@Test
	void runWithUserDefinedTandemHealthIndicatorBacksOff() {
		this.runner.withPropertyValues("tandem.url=" + TandemAutoConfigurationTests.URL)
			.withUserConfiguration(UserHealthIndicator.class)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(TandemHealthContributor.class);
				assertThat(context.getBean(HealthContributorRegistry.class).getContributor("tandem"))
					.isInstanceOf(HealthIndicator.class);
			});
	}

	private static Health health(CompositeHealthContributor composite, String name) {
		HealthContributor component = composite.getContributor(name);
		assertThat(component).as("component %s", name).isInstanceOf(HealthIndicator.class);
		Health health = ((HealthIndicator) component).health();
		assertThat(health).isNotNull();
		return health;
	}

	@Configuration(proxyBeanMethods = false)
	static class UserHealthIndicator {

		@Bean
		HealthIndicator tandemHealthIndicator() {
			return () -> Health.up().build();
		}

	}

}
