package dev.tandem.autoconfigure;

import dev.tandem.routing.NoPrimaryAvailableException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a start that needed the primary (migrations, a write in a startup runner)
 * while no node of the cluster was a reachable primary.
 */
class NoPrimaryAvailableFailureAnalyzer extends AbstractFailureAnalyzer<NoPrimaryAvailableException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, NoPrimaryAvailableException cause) {
		String description = "Tandem found no reachable primary while the application was starting, and something "
				+ "at startup needed one (a database migration or a write).\n\n    " + cause.getMessage();
		String action = "Check that the primary is running and that 'tandem.url' (or 'tandem.writer.url') lists it "
				+ "with the right host and port. The application itself starts without a primary; only work that "
				+ "needs one at startup fails. During a failover, start again once a standby has been promoted.";
		return new FailureAnalysis(description, action, cause);
	}

}
