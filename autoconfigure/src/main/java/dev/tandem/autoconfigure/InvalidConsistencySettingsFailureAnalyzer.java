package dev.tandem.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains read-your-writes settings that contradict the lag and check settings.
 */
class InvalidConsistencySettingsFailureAnalyzer extends AbstractFailureAnalyzer<InvalidConsistencySettingsException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidConsistencySettingsException cause) {
		return new FailureAnalysis("Tandem's read-your-writes settings do not fit together: " + cause.getMessage(),
				"Raise 'tandem.consistency.ttl', or lower 'tandem.reads.max-lag' or 'tandem.topology.check-interval'.",
				cause);
	}

}
