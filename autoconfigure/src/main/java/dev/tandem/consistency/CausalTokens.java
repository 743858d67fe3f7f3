package dev.tandem.consistency;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;

/**
 * The causal token of the current web request: the WAL position its reads must see, from
 * the client's token (header or cookie) and from the request's own commits. Bound to the
 * request's thread by {@link CausalTokenFilter}, to a block by {@link ReadAfter}, and to
 * the threads of work handed over by {@link ConsistencyContext}.
 * <p>
 * A token is the position, {@code X/Y} in hex ({@code 0/3000060}). With a secret (see
 * {@link Signer}) it is the position, a dot and a signature: {@code 0/3000060.} followed
 * by the first 16 bytes of HMAC-SHA256 over the position, in unpadded base64url (22
 * characters).
 */
public final class CausalTokens {

	private static final Pattern LSN = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

	private static final ThreadLocal<@Nullable CausalTokens> current = new ThreadLocal<>();

	/**
	 * The latest commit of a thread that had no tokens bound:
	 * {@link ReadAfter#current()}.
	 */
	private static final ThreadLocal<@Nullable Lsn> threadCommit = new ThreadLocal<>();

	private final @Nullable Lsn fromClient;

	private final Committed committed;

	private volatile @Nullable Lsn ownCommit;

	/** Whether commits still reach {@link #committed}: until the request ends. */
	private volatile boolean open = true;

	CausalTokens(@Nullable Lsn fromClient, Committed committed) {
		this(fromClient, committed, null);
	}

	CausalTokens(@Nullable Lsn fromClient, Committed committed, @Nullable Lsn ownCommit) {
		this.fromClient = fromClient;
		this.committed = committed;
		this.ownCommit = ownCommit;
	}

	/**
	 * Parses a token strictly: {@code X/Y} in hex, each part at most eight digits, in
	 * double quotes or not.
	 * @param text the token
	 * @return the position, or {@code null} when the token is malformed
	 */
	public static @Nullable Lsn parse(@Nullable String text) {
		String value = unquote(text);
		return (value != null && LSN.matcher(value).matches()) ? Lsn.parse(value) : null;
	}

	private static @Nullable String unquote(@Nullable String text) {
		if (text == null) {
			return null;
		}
		String value = text.trim();
		if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
			value = value.substring(1, value.length() - 1);
		}
		return value;
	}

	/**
	 * Reads a token as a client's token is read: strictly, and with a signer only when
	 * its signature matches.
	 * @param text the token
	 * @param signer the signer, or {@code null} for plain tokens
	 * @return the position, or {@code null} when the token is malformed or its signature
	 * does not match
	 */
	static @Nullable Lsn read(@Nullable String text, @Nullable Signer signer) {
		return (signer != null) ? signer.verify(text) : parse(text);
	}

	/**
	 * The token of a position, signed with a signer.
	 * @param lsn the position
	 * @param signer the signer, or {@code null} for plain tokens
	 * @return the token
	 */
	static String text(Lsn lsn, @Nullable Signer signer) {
		return (signer != null) ? signer.sign(lsn) : lsn.toString();
	}

	static @Nullable CausalTokens current() {
		return current.get();
	}

	/**
	 * Records a commit of the current work: in its tokens when it has some, else as the
	 * thread's latest commit.
	 * @param tokens the tokens of the work that committed, or {@code null}
	 * @param lsn the commit LSN
	 */
	static void recordCommit(@Nullable CausalTokens tokens, Lsn lsn) {
		if (tokens != null) {
			tokens.committed(lsn);
		}
		else {
			threadCommit.set(lsn);
		}
	}

	/**
	 * The latest commit of the current work: that of the bound tokens, else the thread's.
	 * @return the position, or {@code null}
	 */
	static @Nullable Lsn latestCommit() {
		CausalTokens tokens = current.get();
		return (tokens != null) ? tokens.ownCommit() : threadCommit.get();
	}

	static @Nullable Lsn threadCommit() {
		return threadCommit.get();
	}

	static void setThreadCommit(@Nullable Lsn lsn) {
		if (lsn != null) {
			threadCommit.set(lsn);
		}
		else {
			threadCommit.remove();
		}
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
	synchronized void committed(Lsn lsn) {
		Lsn previous = this.ownCommit;
		if (previous == null || lsn.compareTo(previous) > 0) {
			this.ownCommit = lsn;
			if (this.open) {
				this.committed.committed(lsn);
			}
		}
	}

	/**
	 * The request has ended: later commits of work it handed over (an {@code @Async}
	 * method still running) no longer reach its response, which may already serve another
	 * request; they still count for that work's reads and {@link ReadAfter#current()}.
	 */
	synchronized void close() {
		this.open = false;
	}

	/**
	 * Signs and verifies tokens with a secret shared by every instance, so that a client
	 * cannot make up a position: knowing an LSN does not give its signature.
	 */
	public static final class Signer {

		private static final String ALGORITHM = "HmacSHA256";

		/** Half of HMAC-SHA256, the shortest truncation RFC 2104 recommends. */
		private static final int SIGNATURE_BYTES = 16;

		/** Keeps a signature of a token from being valid for anything else. */
		private static final byte[] CONTEXT = "tandem-causal-token:".getBytes(StandardCharsets.US_ASCII);

		private static final Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();

		private static final Pattern SIGNATURE = Pattern.compile("[A-Za-z0-9_-]{22}");

		private final SecretKeySpec key;

		private Signer(String secret) {
			this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
		}

		/**
		 * A signer with a secret.
		 * @param secret the secret, the same on every instance
		 * @return the signer
		 */
		public static Signer of(String secret) {
			if (secret.isEmpty()) {
				throw new IllegalArgumentException("The secret must not be empty");
			}
			return new Signer(secret);
		}

		/**
		 * The signed token of a position.
		 * @param lsn the position
		 * @return {@code X/Y.signature}
		 */
		public String sign(Lsn lsn) {
			String position = lsn.toString();
			return position + "." + encoder.encodeToString(signature(position));
		}

		/**
		 * Verifies a signed token; anything else, a plain position included, is refused.
		 * @param text the token, in double quotes or not
		 * @return the position, or {@code null} when the token is malformed or its
		 * signature does not match
		 */
		public @Nullable Lsn verify(@Nullable String text) {
			String value = unquote(text);
			int dot = (value != null) ? value.indexOf('.') : -1;
			if (dot < 0) {
				return null;
			}
			Lsn lsn = parse(value.substring(0, dot));
			String signature = value.substring(dot + 1);
			if (lsn == null || !SIGNATURE.matcher(signature).matches()) {
				return null;
			}
			// Compared as text, so that one signature has one spelling, in constant time.
			byte[] expected = sign(lsn).getBytes(StandardCharsets.US_ASCII);
			byte[] given = value.getBytes(StandardCharsets.US_ASCII);
			return MessageDigest.isEqual(expected, given) ? lsn : null;
		}

		private byte[] signature(String position) {
			try {
				Mac mac = Mac.getInstance(ALGORITHM);
				mac.init(this.key);
				mac.update(CONTEXT);
				return Arrays.copyOf(mac.doFinal(position.getBytes(StandardCharsets.US_ASCII)), SIGNATURE_BYTES);
			}
			catch (GeneralSecurityException ex) {
				throw new IllegalStateException("HmacSHA256 is part of every Java runtime", ex);
			}
		}

		@Override
		public String toString() {
			return "Signer [secret masked]";
		}

	}

	/** Where the response's token goes. */
	@FunctionalInterface
	interface Committed {

		void committed(Lsn lsn);

	}

}
