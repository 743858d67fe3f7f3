package dev.tandem.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The check of the Spring Boot line an application runs.
 */
class SpringBootVersionCheckTests {

	@Test
	void theSupportedLinesStartQuietly() {
		assertThat(SpringBootVersionCheck.check("4.0.9")).isNull();
		assertThat(SpringBootVersionCheck.check("4.0.0-RC1")).isNull();
		assertThat(SpringBootVersionCheck.check("4.1.2")).isNull();
		assertThat(SpringBootVersionCheck.check(SpringBootVersion.getVersion())).isNull();
	}

	@Test
	void anOlderLineIsRefusedNamingIt() {
		assertThatExceptionOfType(UnsupportedSpringBootVersionException.class)
			.isThrownBy(() -> SpringBootVersionCheck.check("3.5.7"))
			.withMessage("Tandem needs Spring Boot 4.0 or 4.1; this application runs Spring Boot 3.5.7")
			.satisfies((ex) -> assertThat(ex.version()).isEqualTo("3.5.7"));
	}

	@Test
	void aNewerLineStartsWithAWarning() {
		assertThat(SpringBootVersionCheck.check("4.2.0")).contains("tested on Spring Boot 4.0 and 4.1")
			.contains("4.2.0");
		assertThat(SpringBootVersionCheck.check("5.0.0-M1")).contains("5.0.0-M1");
	}

	@Test
	void anUnknownVersionIsNotChecked() {
		assertThat(SpringBootVersionCheck.check(null)).isNull();
		assertThat(SpringBootVersionCheck.check("snapshot")).isNull();
	}

	@Test
	void theCheckAndItsAnalysisAreRegisteredForEveryApplication() {
		SpringFactoriesLoader factories = SpringFactoriesLoader.forDefaultResourceLocation();
		assertThat(factories.load(ApplicationContextInitializer.class))
			.anySatisfy((initializer) -> assertThat(initializer).isInstanceOf(SpringBootVersionCheck.class));
		// Spring Boot's own analyzers need constructor arguments: left out here.
		assertThat(factories.load(FailureAnalyzer.class, null,
				SpringFactoriesLoader.FailureHandler.handleMessage((message, failure) -> {
				})))
			.anySatisfy(
					(analyzer) -> assertThat(analyzer).isInstanceOf(UnsupportedSpringBootVersionFailureAnalyzer.class));
	}

	@Test
	void theAnalysisSaysWhatToDo() {
		UnsupportedSpringBootVersionException failure = new UnsupportedSpringBootVersionException("3.5.7");
		FailureAnalysis analysis = new UnsupportedSpringBootVersionFailureAnalyzer()
			.analyze(new IllegalStateException(failure));
		assertThat(analysis.getDescription())
			.isEqualTo("Tandem needs Spring Boot 4.0 or 4.1; this application runs Spring Boot 3.5.7.");
		assertThat(analysis.getAction()).contains("Upgrade the application to Spring Boot 4.0 or 4.1");
	}

}
