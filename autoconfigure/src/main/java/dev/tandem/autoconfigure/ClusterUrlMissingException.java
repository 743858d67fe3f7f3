package dev.tandem.autoconfigure;

/**
 * Thrown at startup when no property names the cluster.
 */
public class ClusterUrlMissingException extends RuntimeException {

	// NOTE: This text is quoted by ClusterUrlMissingFailureAnalyzer; keep them in step.
	ClusterUrlMissingException(String message) {
		super(message);
	}

}
