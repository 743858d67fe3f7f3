package dev.tandem.wal;

/**
 * A PostgreSQL write-ahead log position ({@code pg_lsn}), written {@code X/Y} in hex.
 *
 * @param value the position as an unsigned 64-bit number
 */
public record Lsn(long value) implements Comparable<Lsn> {

	/**
	 * Parses the text form PostgreSQL prints, such as {@code 16/B374D848}.
	 * @param text the LSN text
	 * @return the LSN
	 * @throws IllegalArgumentException if the text is not an LSN
	 */
	public static Lsn parse(String text) {
		int slash = text.indexOf('/');
		if (slash < 1 || slash > 8 || slash == text.length() - 1 || text.length() - slash - 1 > 8
				|| !isHex(text, 0, slash) || !isHex(text, slash + 1, text.length())) {
			throw new IllegalArgumentException("'" + text + "' is not an LSN (expected X/Y in hex)");
		}
		long high = Long.parseLong(text, 0, slash, 16);
		long low = Long.parseLong(text, slash + 1, text.length(), 16);
		return new Lsn((high << 32) | low);
	}

	private static boolean isHex(String text, int from, int to) {
		for (int i = from; i < to; i++) {
			char c = text.charAt(i);
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
				return false;
			}
		}
		return true;
	}

	@Override
	public int compareTo(Lsn other) {
		return Long.compareUnsigned(this.value, other.value);
	}

	@Override
	public String toString() {
		return Long.toHexString(this.value >>> 32).toUpperCase(java.util.Locale.ROOT) + "/"
				+ Long.toHexString(this.value & 0xFFFFFFFFL).toUpperCase(java.util.Locale.ROOT);
	}

}
