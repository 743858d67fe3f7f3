package dev.tandem.autoconfigure;

import dev.tandem.actuate.TandemEndpoint;
import dev.tandem.actuate.TandemEndpoint.NodeDescriptor;
import dev.tandem.actuate.TandemEndpoint.TandemDescriptor;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.convert.support.ConfigurableConversionService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TandemEndpointAutoConfiguration}: its conditions, with no server. The
 * endpoint on a real cluster is in {@link ActuatorAutoConfigurationsIntegrationTests}.
 */
class TandemEndpointAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(AutoConfigurations
		.of(TandemAutoConfiguration.class, TandemEndpointAutoConfiguration.class, EndpointAutoConfiguration.class));

	@Test
	void runWhenEndpointIsExposedRegistersItWithTheSettingsBeforeAnyNodeAnswers() {
		this.runner
			.withPropertyValues("tandem.url=" + TandemAutoConfigurationTests.URL,
					"management.endpoints.web.exposure.include=tandem", "tandem.reads.max-lag=250ms",
					"tandem.reads.max-lag-bytes=16MB", "tandem.reads.balance=random")
			.run((context) -> {
				assertThat(context).hasSingleBean(TandemEndpoint.class);
				TandemDescriptor descriptor = context.getBean(TandemEndpoint.class).tandem();
				assertThat(descriptor.readTarget()).isEqualTo("prefer-standby");
				assertThat(descriptor.balance()).isEqualTo("random");
				assertThat(descriptor.maxLag()).isEqualTo("250ms");
				assertThat(descriptor.maxLagBytes()).isEqualTo(16L * 1024 * 1024);
				assertThat(descriptor.checkInterval()).isEqualTo("1s");
				assertThat(descriptor.primary()).isNull();
				assertThat(descriptor.primaryDown()).isTrue();
				assertThat(descriptor.nodes()).extracting(NodeDescriptor::node)
					.containsExactly("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3");
				assertThat(descriptor.pools()).containsOnlyKeys("tandem-writer");
			});
	}

	@Test
	void runWhenEndpointIsNotExposedRegistersNoEndpoint() {
		this.runner.withPropertyValues("tandem.url=" + TandemAutoConfigurationTests.URL)
			.run((context) -> assertThat(context).doesNotHaveBean(TandemEndpoint.class));
	}

	@Test
	void runWhenEndpointAccessIsNoneRegistersNoEndpoint() {
		this.runner
			.withPropertyValues("tandem.url=" + TandemAutoConfigurationTests.URL,
					"management.endpoints.web.exposure.include=*", "management.endpoint.tandem.access=none")
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
			.withPropertyValues("tandem.url=" + TandemAutoConfigurationTests.URL,
					"management.endpoints.web.exposure.include=tandem")
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
