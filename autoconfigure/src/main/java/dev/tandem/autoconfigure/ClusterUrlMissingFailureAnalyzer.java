package dev.tandem.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a start without any cluster URL.
 */
class ClusterUrlMissingFailureAnalyzer extends AbstractFailureAnalyzer<ClusterUrlMissingException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ClusterUrlMissingException cause) {
		String action = "Set 'tandem.url' (or the DATABASE_URL environment variable) to the cluster, for example "
				+ "postgresql://user:password@host1:5432,host2:5432/database, or set both 'tandem.writer.url' and "
				+ "'tandem.reader.url' for separate endpoints. To build the DataSource yourself, define a DataSource "
				+ "bean or set 'tandem.enabled=false'.";
		return new FailureAnalysis("Tandem cannot start: " + cause.getMessage() + ".", action, cause);
	}

}
