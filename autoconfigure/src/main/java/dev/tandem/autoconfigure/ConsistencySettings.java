package dev.tandem.autoconfigure;

import java.time.Duration;

import dev.tandem.consistency.CausalTokens;
import dev.tandem.consistency.ConsistencyMode;
import dev.tandem.consistency.MarkerStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.env.Environment;

/**
 * Checks the read-your-writes settings against the lag and check settings they depend on.
 */
final class ConsistencySettings {

	private static final Logger logger = LoggerFactory.getLogger(ConsistencySettings.class);

	/** Below this a secret is too easy to guess. */
	static final int MIN_TOKEN_SECRET_LENGTH = 16;

	private ConsistencySettings() {
	}

	/**
	 * The signer of causal tokens, from a secret long enough to be hard to guess.
	 * @param properties the properties
	 * @return the signer, or {@code null} when no secret is set
	 * @throws InvalidConsistencySettingsException when the secret is too short; the
	 * message shows its length only
	 */
	static CausalTokens.@Nullable Signer tokenSigner(TandemProperties properties) {
		String secret = properties.getConsistency().getTokenSecret();
		if (secret == null) {
			return null;
		}
		if (secret.length() < MIN_TOKEN_SECRET_LENGTH) {
			throw new InvalidConsistencySettingsException(
					"tandem.consistency.token-secret (****** masked, " + secret.length()
							+ " characters) must be at least " + MIN_TOKEN_SECRET_LENGTH
							+ " characters: a short secret can be guessed, and then tokens can be forged",
					"Set 'tandem.consistency.token-secret' to a random value of at least " + MIN_TOKEN_SECRET_LENGTH
							+ " characters, the same on every instance, or leave it unset for unsigned tokens.");
		}
		return CausalTokens.Signer.of(secret);
	}

	/**
	 * A marker must outlive the time a standby may stay in rotation while behind: after
	 * it expires, every standby still in rotation is known to have replayed the write.
	 * @param properties the properties
	 * @throws InvalidConsistencySettingsException when the TTL or the token secret is too
	 * short
	 */
	static void check(TandemProperties properties) {
		tokenSigner(properties);
		TandemProperties.Consistency consistency = properties.getConsistency();
		if (consistency.getMode() == ConsistencyMode.OFF) {
			return;
		}
		if (consistency.getNearCache().isEnabled() && consistency.getNearCache().getMaxEntries() < 1) {
			throw new InvalidConsistencySettingsException("tandem.consistency.near-cache.max-entries ("
					+ consistency.getNearCache().getMaxEntries()
					+ ") must be at least 1; to turn the near cache off, set tandem.consistency.near-cache.enabled=false");
		}
		Duration maxLag = properties.getReads().getMaxLag();
		Duration interval = properties.getTopology().getCheckInterval();
		Duration least = maxLag.plus(interval.multipliedBy(2));
		if (consistency.getTtl().compareTo(least) < 0) {
			throw new InvalidConsistencySettingsException("tandem.consistency.ttl (" + consistency.getTtl()
					+ ") must be at least tandem.reads.max-lag (" + maxLag
					+ ") plus two tandem.topology.check-interval (2 x " + interval + ") = " + least
					+ ": a standby still in rotation when a marker expires must be known to have replayed its write");
		}
		if (maxLag.isZero()) {
			logger.warn("tandem.reads.max-lag is 0 (no lag limit): read-your-writes holds only while a marker lives "
					+ "(tandem.consistency.ttl {}); after that, a standby that is further behind may serve an older "
					+ "state", consistency.getTtl());
		}
	}

	/**
	 * The namespace markers are kept in: {@code tandem.consistency.namespace}, else
	 * {@code spring.application.name}, else none.
	 * @param properties the properties
	 * @param environment the environment, for the application name
	 * @return the namespace, empty for none
	 */
	static String namespace(TandemProperties properties, Environment environment) {
		String namespace = properties.getConsistency().getNamespace();
		if (namespace != null) {
			return namespace.trim();
		}
		String name = environment.getProperty("spring.application.name");
		return (name != null) ? name.trim() : "";
	}

	/**
	 * What a store means for read-your-writes.
	 * @param store the store
	 * @return a short explanation for the startup log
	 */
	static String describe(MarkerStore store) {
		return "memory".equals(store.name()) ? "read-your-writes within this instance only"
				: "read-your-writes across every instance that shares it";
	}

}
