package dev.tandem.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a Redis marker store that was asked for but cannot be built.
 */
class MarkerStoreUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<MarkerStoreUnavailableException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MarkerStoreUnavailableException cause) {
		return new FailureAnalysis("Tandem cannot keep read-your-writes markers in Redis: " + cause.getMessage() + ".",
				"Add spring-boot-starter-data-redis and configure spring.data.redis.* (for example "
						+ "spring.data.redis.url=redis://host:6379), or set 'tandem.consistency.store' to 'auto' "
						+ "(Redis when available, else memory) or 'memory' (read-your-writes within one instance).",
				cause);
	}

}
