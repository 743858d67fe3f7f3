package dev.tandem.consistency;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.jspecify.annotations.Nullable;

/**
 * The SHA-256 of a consistency key: what marker stores keep instead of the key, so that
 * neither its length nor its content reaches memory, logs or Redis.
 */
public final class KeyDigest {

	/** One per thread: looked up once, reset by each digest. */
	private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
		}
	});

	private final long first;

	private final long second;

	private final long third;

	private final long fourth;

	private KeyDigest(byte[] digest) {
		ByteBuffer bytes = ByteBuffer.wrap(digest);
		this.first = bytes.getLong();
		this.second = bytes.getLong();
		this.third = bytes.getLong();
		this.fourth = bytes.getLong();
	}

	private KeyDigest(long first, long second, long third, long fourth) {
		this.first = first;
		this.second = second;
		this.third = third;
		this.fourth = fourth;
	}

	/**
	 * The digest of a key.
	 * @param key the consistency key
	 * @return the SHA-256 of its UTF-8 bytes
	 */
	public static KeyDigest of(String key) {
		return new KeyDigest(SHA_256.get().digest(key.getBytes(StandardCharsets.UTF_8)));
	}

	/**
	 * The digest whose {@link #hex()} ends {@code text}, as in a store key made of a
	 * prefix and the hex.
	 * @param text a store key
	 * @param start where the 64 hex digits start
	 * @return the digest, or {@code null} when the text from {@code start} on is not 64
	 * hex digits
	 */
	public static @Nullable KeyDigest fromHex(String text, int start) {
		if (start < 0 || text.length() - start != 64) {
			return null;
		}
		long[] parts = new long[4];
		for (int part = 0; part < 4; part++) {
			long value = 0;
			for (int i = start + part * 16; i < start + part * 16 + 16; i++) {
				int digit = Character.digit(text.charAt(i), 16);
				if (digit < 0) {
					return null;
				}
				value = (value << 4) | digit;
			}
			parts[part] = value;
		}
		return new KeyDigest(parts[0], parts[1], parts[2], parts[3]);
	}

	/**
	 * The digest in lower-case hex.
	 * @return 64 hex digits
	 */
	public String hex() {
		return HexFormat.of()
			.formatHex(ByteBuffer.allocate(32)
				.putLong(this.first)
				.putLong(this.second)
				.putLong(this.third)
				.putLong(this.fourth)
				.array());
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (other instanceof KeyDigest digest) && this.first == digest.first && this.second == digest.second
				&& this.third == digest.third && this.fourth == digest.fourth;
	}

	@Override
	public int hashCode() {
		// SHA-256 bits are uniform: any 32 of them make a good hash.
		return (int) this.first;
	}

	@Override
	public String toString() {
		return hex();
	}

}
