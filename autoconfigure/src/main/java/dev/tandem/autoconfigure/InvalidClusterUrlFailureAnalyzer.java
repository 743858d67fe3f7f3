package dev.tandem.autoconfigure;

import dev.tandem.url.InvalidClusterUrlException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a cluster URL that does not parse: which property, the value with its password
 * masked, what is wrong, and how a valid URL looks.
 */
class InvalidClusterUrlFailureAnalyzer extends AbstractFailureAnalyzer<InvalidClusterUrlException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidClusterUrlException cause) {
		String description = "The PostgreSQL cluster URL in '" + cause.property() + "' is invalid.\n\n    Value: "
				+ cause.maskedUrl() + "\n    Problem: " + cause.fault();
		String action = "Fix '" + cause.property() + "'. A libpq URI looks like "
				+ "postgresql://user:password@host1:5432,host2:5432/database?target_session_attrs=prefer-standby "
				+ "(IPv6 hosts in brackets, [::1]:5432; special characters in the user name or password "
				+ "percent-encoded); a pgjdbc URL looks like jdbc:postgresql://host1:5432,host2:5432/database.";
		return new FailureAnalysis(description, action, cause);
	}

}
