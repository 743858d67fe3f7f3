package dev.tandem.autoconfigure;

import dev.tandem.routing.InvalidZonesException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains invalid zone settings ({@code tandem.zones.*}, {@code tandem.reads.zone}).
 */
class InvalidZonesFailureAnalyzer extends AbstractFailureAnalyzer<InvalidZonesException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidZonesException cause) {
		return new FailureAnalysis("Tandem's zone settings are invalid: " + cause.getMessage(),
				"List each zone's nodes as they appear in the cluster URL, for example "
						+ "tandem.zones.eu-west=db-1.eu-west:5432,db-2.eu-west:5432, and set tandem.reads.zone "
						+ "to one of the zones' names.",
				cause);
	}

}
