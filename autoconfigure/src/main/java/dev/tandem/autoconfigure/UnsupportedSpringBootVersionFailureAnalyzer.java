package dev.tandem.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a Spring Boot line Tandem does not support. Uses only what Spring Boot 3 and 4
 * share, since it runs on the line it refuses.
 */
class UnsupportedSpringBootVersionFailureAnalyzer
		extends AbstractFailureAnalyzer<UnsupportedSpringBootVersionException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnsupportedSpringBootVersionException cause) {
		return new FailureAnalysis(cause.getMessage() + ".",
				"Upgrade the application to Spring Boot 4.0 or 4.1, or remove the Tandem starter. Tandem's "
						+ "auto-configuration uses Spring Boot 4's modules and would fail on Spring Boot "
						+ cause.version() + " with a missing class.",
				cause);
	}

}
