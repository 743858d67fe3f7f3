package dev.tandem.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains invalid read-your-writes settings.
 */
class InvalidConsistencySettingsFailureAnalyzer extends AbstractFailureAnalyzer<InvalidConsistencySettingsException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidConsistencySettingsException cause) {
		return new FailureAnalysis("Tandem's read-your-writes settings are invalid: " + cause.getMessage(),
				cause.getAction(), cause);
	}

}
