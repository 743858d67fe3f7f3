package dev.tandem.autoconfigure;

import java.time.Duration;
import java.util.List;

import dev.tandem.actuate.MarkerStoreHealthIndicator;
import dev.tandem.actuate.TandemHealthContributor;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link TandemHealthContributorAutoConfiguration}, on a real primary with two
 * standbys.
 */
class TandemHealthContributorAutoConfigurationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class,
				TandemHealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class));

	@Test
	void runWithHealthRegistersTandemContributorWithOneUpComponentPerNode() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl()).run((context) -> {
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
	void runWhenTandemHealthIsDisabledRegistersNoContributor() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "management.health.tandem.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(TandemHealthContributor.class);
				assertThat(context.getBean(HealthContributorRegistry.class).getContributor("tandem")).isNull();
			});
	}

	@Test
	void runWithHealthRegistersTheMarkerStoreHealth() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl()).run((context) -> {
			HealthContributor markers = context.getBean(HealthContributorRegistry.class)
				.getContributor("tandemMarkers");
			assertThat(markers).isInstanceOf(MarkerStoreHealthIndicator.class);
			assertThat(((MarkerStoreHealthIndicator) markers).health().getDetails()).containsEntry("store", "memory");
		});
	}

	@Test
	void runWhenMarkerStoreHealthIsDisabledRegistersNoMarkerStoreHealth() {
		this.runner
			.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "management.health.tandem-markers.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(MarkerStoreHealthIndicator.class);
				assertThat(context).hasSingleBean(TandemHealthContributor.class);
			});
	}

	@Test
	void runWhenHealthDefaultsAreDisabledRegistersNoContributor() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "management.health.defaults.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(TandemHealthContributor.class));
	}

	@Test
	void runWithoutSpringBootHealthRegistersNoContributor() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl())
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
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl())
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
