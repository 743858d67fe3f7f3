package dev.tandem.consistency;

import java.util.regex.Pattern;

import dev.tandem.topology.Lsn;
import org.jspecify.annotations.Nullable;

/**
 * The causal token of the current web request: the WAL position its reads must see, from
 * the client's token (header or cookie) and from the request's own commits. Bound to the
 * request's thread by {@link CausalTokenFilter}.
 */
public final class CausalTokens {

	private static final Pattern LSN = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

	private static final ThreadLocal<@Nullable CausalTokens> current = new ThreadLocal<>();

	private final @Nullable Lsn fromClient;

	private final Committed committed;

	private volatile @Nullable Lsn ownCommit;

	CausalTokens(@Nullable Lsn fromClient, Committed committed) {
		this.fromClient = fromClient;
		this.committed = committed;
	}

	/**
	 * Parses a token strictly: {@code X/Y} in hex, each part at most eight digits, in
	 * double quotes or not.
	 * @param text the token
	 * @return the position, or {@code null} when the token is malformed
	 */
	public static @Nullable Lsn parse(@Nullable String text) {
		if (text == null) {
			return null;
		}
		String value = text.trim();
		if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
			value = value.substring(1, value.length() - 1);
		}
		return LSN.matcher(value).matches() ? Lsn.parse(value) : null;
	}

	static @Nullable CausalTokens current() {
		return current.get();
	}

	static void bind(@Nullable CausalTokens tokens) {
		if (tokens != null) {
			current.set(tokens);
		}
		else {
			current.remove();
		}
	}

	/**
	 * The position the client's token asks for.
	 * @return the position, or {@code null}
	 */
	@Nullable Lsn fromClient() {
		return this.fromClient;
	}

	/**
	 * The commit LSN of this request's latest write.
	 * @return the position, or {@code null}
	 */
	@Nullable Lsn ownCommit() {
		return this.ownCommit;
	}

	/**
	 * A write of this request committed at {@code lsn}: later reads of the request must
	 * see it, and the response carries it as the token.
	 * @param lsn the commit LSN
	 */
	void committed(Lsn lsn) {
		Lsn previous = this.ownCommit;
		if (previous == null || lsn.compareTo(previous) > 0) {
			this.ownCommit = lsn;
			this.committed.committed(lsn);
		}
	}

	/** Where the response's token goes. */
	@FunctionalInterface
	interface Committed {

		void committed(Lsn lsn);

	}

}
