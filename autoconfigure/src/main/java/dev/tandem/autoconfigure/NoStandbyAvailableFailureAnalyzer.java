package dev.tandem.autoconfigure;

import dev.tandem.routing.NoStandbyAvailableException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a start whose read-only work required a standby
 * ({@code tandem.reads.target=standby}) while none was in rotation.
 */
class NoStandbyAvailableFailureAnalyzer extends AbstractFailureAnalyzer<NoStandbyAvailableException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, NoStandbyAvailableException cause) {
		String description = "Read-only work at startup required a standby, and none was reachable and close "
				+ "enough behind the primary.\n\n    " + cause.getMessage();
		String action = "Start a standby, or check that 'tandem.url' (or 'tandem.reader.url') lists the standbys. "
				+ "To let reads fall back to the primary while no standby can serve them, set "
				+ "'tandem.reads.target=prefer-standby'. A lagging standby serves again once it has caught up; "
				+ "'tandem.reads.max-lag' sets how far behind is too far.";
		return new FailureAnalysis(description, action, cause);
	}

}
