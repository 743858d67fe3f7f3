package dev.tandem.autoconfigure;

import dev.tandem.actuate.TandemEndpoint;
import dev.tandem.actuate.TandemEndpoint.NodeDescriptor;
import dev.tandem.actuate.TandemEndpoint.TandemDescriptor;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.convert.support.ConfigurableConversionService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TandemEndpointAutoConfiguration}, on a real primary with two standbys.
 */
class TandemEndpointAutoConfigurationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(AutoConfigurations
		.of(TandemAutoConfiguration.class, TandemEndpointAutoConfiguration.class, EndpointAutoConfiguration.class));

	@Test
	void runWhenEndpointIsExposedRegistersItWithTheSnapshot() {
		this.runner
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
				assertThat(descriptor.nodes()).extracting(NodeDescriptor::state)
					.containsExactly("primary", "in-rotation", "in-rotation");
				assertThat(descriptor.pools()).containsOnlyKeys("tandem-writer");
			});
	}

	@Test
	void runWhenEndpointIsNotExposedRegistersNoEndpoint() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl())
			.run((context) -> assertThat(context).doesNotHaveBean(TandemEndpoint.class));
	}

	@Test
	void runWhenEndpointAccessIsNoneRegistersNoEndpoint() {
		this.runner
			.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "management.endpoints.web.exposure.include=*",
					"management.endpoint.tandem.access=none")
			// As SpringApplication does, so that 'none' converts to Access.NONE.
			.withInitializer((context) -> context.getEnvironment()
				.setConversionService((ConfigurableConversionService) ApplicationConversionService.getSharedInstance()))
			.run((context) -> assertThat(context).doesNotHaveBean(TandemEndpoint.class));
	}

	@Test
	void runWithoutActuatorRegistersNoEndpoint() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(TandemAutoConfiguration.class, TandemEndpointAutoConfiguration.class))
			.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "management.endpoints.web.exposure.include=tandem")
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(TandemEndpoint.class);
			});
	}

	@Test
	void runWhenTandemIsDisabledRegistersNoEndpoint() {
		this.runner.withPropertyValues("tandem.enabled=false", "management.endpoints.web.exposure.include=tandem")
			.run((context) -> assertThat(context).doesNotHaveBean(TandemEndpoint.class));
	}

}
