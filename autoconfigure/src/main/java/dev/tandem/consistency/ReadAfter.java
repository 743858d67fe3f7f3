package dev.tandem.consistency;

import java.util.concurrent.Callable;

import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;

/**
 * Causal tokens beyond HTTP: the token of the current work's latest commit, to carry in a
 * message, and blocks of work that read at least as fresh as a token they received.
 *
 * <pre class="code">
 * // producer, after the transaction has committed
 * String token = ReadAfter.current();
 * // listener, on any instance
 * Order order = ReadAfter.callWith(token, () -&gt; orders.find(id));
 * </pre>
 *
 * A token is the text of the {@code X-Read-After} header: signed when
 * {@code tandem.consistency.token-secret} is set. A token received here is treated as one
 * from a web client: parsed strictly, refused without a valid signature when a secret is
 * set, and never waited on when it is beyond the primary position this instance knows.
 */
public final class ReadAfter {

	private static volatile CausalTokens.@Nullable Signer signer;

	private ReadAfter() {
	}

	/**
	 * The causal token of the latest commit made by the current work: the current web
	 * request (its own writes, and those of work it handed over while it is open), a
	 * {@link #callWith} block, or else the current thread. Read with each read-write
	 * transaction's commit while read-your-writes is on ({@code tandem.consistency.mode}
	 * not {@code off}).
	 * @return the token, or {@code null} when the current work has committed nothing
	 */
	public static @Nullable String current() {
		Lsn lsn = CausalTokens.latestCommit();
		return (lsn != null) ? CausalTokens.text(lsn, signer) : null;
	}

	/**
	 * Calls work whose reads see at least what the token covers.
	 * @param <T> the result type
	 * @param token a token from {@link #current()} or a response header, or {@code null}
	 * for none: the work runs with no requirement of its own
	 * @param work the work
	 * @return what the work returned
	 * @throws IllegalArgumentException when the token is malformed or, with a secret, not
	 * signed with it
	 * @throws Exception what the work threw
	 */
	public static <T> T callWith(@Nullable String token, Callable<T> work) throws Exception {
		CausalTokens outer = CausalTokens.current();
		Lsn outerCommit = CausalTokens.threadCommit();
		CausalTokens tokens = enter(token, outer);
		try {
			return work.call();
		}
		finally {
			exit(tokens, outer, outerCommit);
		}
	}

	/**
	 * Runs work whose reads see at least what the token covers.
	 * @param token a token from {@link #current()} or a response header, or {@code null}
	 * for none: the work runs with no requirement of its own
	 * @param work the work
	 * @throws IllegalArgumentException when the token is malformed or, with a secret, not
	 * signed with it
	 */
	public static void runWith(@Nullable String token, Runnable work) {
		CausalTokens outer = CausalTokens.current();
		Lsn outerCommit = CausalTokens.threadCommit();
		CausalTokens tokens = enter(token, outer);
		try {
			work.run();
		}
		finally {
			exit(tokens, outer, outerCommit);
		}
	}

	/**
	 * Sets the signer of {@code tandem.consistency.token-secret}: Tandem's
	 * auto-configuration calls it; applications have no need to.
	 * @param tokenSigner the signer, or {@code null} for plain tokens
	 */
	public static void setSigner(CausalTokens.@Nullable Signer tokenSigner) {
		signer = tokenSigner;
	}

	/**
	 * The position a token asks for, read as a client's token is.
	 * @param token the token
	 * @return the position
	 * @throws IllegalArgumentException naming what is wrong with the token
	 */
	static Lsn position(String token) {
		CausalTokens.Signer current = signer;
		Lsn lsn = CausalTokens.read(token, current);
		if (lsn != null) {
			return lsn;
		}
		String length = " (" + token.length() + " characters)";
		if (current == null) {
			throw new IllegalArgumentException("Invalid causal token" + length
					+ ": a token is a WAL position, X/Y in hex with at most 8 digits each, such as 0/3000060");
		}
		String value = token.trim();
		int dot = value.indexOf('.');
		if (dot < 0 && CausalTokens.parse(value) != null) {
			throw new IllegalArgumentException("Invalid causal token" + length
					+ ": it is not signed, and tandem.consistency.token-secret is set; "
					+ "take tokens from ReadAfter.current() or the response header of an instance with the same secret");
		}
		if (dot > 0 && CausalTokens.parse(value.substring(0, dot)) != null
				&& value.substring(dot + 1).matches("\"?[A-Za-z0-9_-]{22}\"?")) {
			throw new IllegalArgumentException(
					"Invalid causal token" + length + ": its signature does not match tandem.consistency.token-secret "
							+ "(signed with another secret, or altered)");
		}
		throw new IllegalArgumentException("Invalid causal token" + length
				+ ": a signed token is a WAL position (X/Y in hex), a dot and a signature");
	}

	private static @Nullable CausalTokens enter(@Nullable String token, @Nullable CausalTokens outer) {
		if (token == null) {
			return null;
		}
		Lsn lsn = position(token);
		Lsn fromOuter = (outer != null) ? outer.fromClient() : null;
		Lsn required = (fromOuter != null && fromOuter.compareTo(lsn) > 0) ? fromOuter : lsn;
		// Commits of the block are the outer work's too: its token, or its thread's.
		CausalTokens.Committed forward = (outer != null) ? outer::committed : (commit) -> {
		};
		CausalTokens tokens = new CausalTokens(required, forward,
				(outer != null) ? outer.ownCommit() : CausalTokens.threadCommit());
		CausalTokens.bind(tokens);
		return tokens;
	}

	private static void exit(@Nullable CausalTokens tokens, @Nullable CausalTokens outer, @Nullable Lsn outerCommit) {
		if (tokens == null) {
			return;
		}
		CausalTokens.bind(outer);
		Lsn own = tokens.ownCommit();
		if (outer == null) {
			CausalTokens.setThreadCommit((own != null) ? own : outerCommit);
		}
	}

}
