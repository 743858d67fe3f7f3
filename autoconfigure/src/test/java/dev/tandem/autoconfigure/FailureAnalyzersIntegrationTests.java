package dev.tandem.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

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

	// Issue 13, items 1, 2 and 6: secret parameters, a '?' in the password, HikariCP's
	// DEBUG dump of its configuration.
	@Test
	void ambiguousUrlIsReportedWithoutThePassword(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--tandem.url=postgresql://app:?s3cr3t=x@h1/db"));
		assertThat(output).contains("APPLICATION FAILED TO START",
				"The PostgreSQL cluster URL in 'tandem.url' is invalid", "postgresql://app:****@h1/db",
				"percent-encode a '?' in the password as %3F");
		assertThat(output).doesNotContain("s3cr3t");
	}

	@Test
	void secretParametersAreMaskedInTheStartupLogAndHikariConfiguration(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(
				"--tandem.url=postgresql://app:s3cr3t@127.0.0.1:1/db?sslpassword=s3cr3t&oauth_client_secret=s3cr3t"
						+ "&scram_client_key=s3cr3t&sslmode=disable",
				"--logging.level.com.zaxxer.hikari.HikariConfig=DEBUG"));
		assertThat(output).contains(
				"Tandem: writer postgresql://app:****@127.0.0.1:1/db?sslpassword=****"
						+ "&oauth_client_secret=****&scram_client_key=****&sslmode=disable",
				"tandem-writer - configuration:", "sslmode=disable");
		assertThat(output).doesNotContain("s3cr3t");
	}

	@Test
	void missingUrlIsReportedWithTheWayOut(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run());
		assertThat(output).contains("APPLICATION FAILED TO START",
				"Tandem cannot start: no PostgreSQL cluster is configured", "Set 'tandem.url'");
	}

	@Test
	void noPrimaryForAMigrationAtStartupIsReportedWithTheTopology(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--tandem.url=postgresql://app:s3cr3t@127.0.0.1:1,127.0.0.1:2/db"));
		assertThat(output).contains("APPLICATION FAILED TO START", "Tandem found no reachable primary",
				"127.0.0.1:1 unreachable", "127.0.0.1:2 unreachable", "Action:",
				"The application itself starts without a primary");
		assertThat(output).doesNotContain("s3cr3t");
	}

	@Test
	void noStandbyForARequiredStandbyReadAtStartupIsReported(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--tandem.url=postgresql://app:s3cr3t@127.0.0.1:1/db",
				"--tandem.reads.target=standby", "--test.read-at-startup=true",
				"--spring.autoconfigure.exclude=org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration,"
						+ "org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration,"
						+ "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
						+ "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration"));
		assertThat(output).contains("APPLICATION FAILED TO START", "Read-only work at startup required a standby",
				"tandem.reads.target is 'standby'", "127.0.0.1:1 unreachable", "Action:",
				"'tandem.reads.target=prefer-standby'");
		assertThat(output).doesNotContain("s3cr3t");
	}

	@Test
	void aTtlShorterThanTheLagLimitIsReportedWithTheProperties(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--tandem.url=postgresql://app:s3cr3t@127.0.0.1:1/db",
				"--tandem.consistency.ttl=3s", "--tandem.reads.max-lag=5s"));
		assertThat(output).contains("APPLICATION FAILED TO START", "Tandem's read-your-writes settings are invalid",
				"tandem.consistency.ttl (PT3S) must be at least tandem.reads.max-lag (PT5S)", "Action:",
				"Raise 'tandem.consistency.ttl'");
		assertThat(output).doesNotContain("s3cr3t");
	}

	@Test
	void aShortTokenSecretIsReportedWithThePropertyButNotTheSecret(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--tandem.url=postgresql://app:s3cr3t@127.0.0.1:1/db",
				"--tandem.consistency.token-secret=hunter2hunter2"));
		assertThat(output).contains("APPLICATION FAILED TO START", "Tandem's read-your-writes settings are invalid",
				"tandem.consistency.token-secret (****** masked, 14 characters) must be at least 16 characters",
				"Action:", "Set 'tandem.consistency.token-secret' to a random value of at least 16 characters");
		assertThat(output).doesNotContain("s3cr3t", "hunter2");
	}

	@Test
	void aRedisStoreWithoutRedisIsReportedWithWhatToAdd(CapturedOutput output) {
		assertThatException().isThrownBy(
				() -> run("--tandem.url=postgresql://app:s3cr3t@127.0.0.1:1/db", "--tandem.consistency.store=redis"));
		assertThat(output).contains("APPLICATION FAILED TO START",
				"Tandem cannot keep read-your-writes markers in Redis", "no single RedisConnectionFactory bean",
				"Action:", "spring-boot-starter-data-redis");
		assertThat(output).doesNotContain("s3cr3t");
	}

	private static void run(String... args) {
		SpringApplication application = new SpringApplication(App.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.run(args).close();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class App {

		@Bean
		@ConditionalOnBooleanProperty("test.read-at-startup")
		ApplicationRunner readAtStartup(PlatformTransactionManager transactionManager, JdbcTemplate jdbc) {
			TransactionTemplate readOnly = new TransactionTemplate(transactionManager);
			readOnly.setReadOnly(true);
			return (arguments) -> readOnly
				.executeWithoutResult((status) -> jdbc.queryForObject("SELECT 1", Integer.class));
		}

	}

}
