package dev.tandem.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real {@link SpringApplication} that fails to start prints Tandem's failure analysis,
 * proving the analyzers are registered, and never prints the password.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailureAnalyzersIntegrationTests {

	@Test
	void invalidUrlIsReportedWithPropertyMaskedValueAndAction(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--tandem.url=postgresql://app:s3cr3t@[::1:5432/db"));
		assertThat(output).contains("APPLICATION FAILED TO START",
				"The PostgreSQL cluster URL in 'tandem.url' is invalid", "postgresql://app:****@", "Action:",
				"Fix 'tandem.url'");
		assertThat(output).doesNotContain("s3cr3t");
	}

	@Test
	void missingUrlIsReportedWithTheWayOut(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run());
		assertThat(output).contains("APPLICATION FAILED TO START",
				"Tandem cannot start: no PostgreSQL cluster is configured", "Set 'tandem.url'");
	}

	private static void run(String... args) {
		SpringApplication application = new SpringApplication(App.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.run(args).close();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class App {

	}

}
