package dev.tandem.consistency.redis;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The Redis protocol (RESP2 and RESP3), as much as the near cache's own connections need:
 * commands as arrays of bulk strings, and a reader of replies and pushes that takes bytes
 * as they arrive and hands out whole frames.
 */
final class Resp {

	private Resp() {
	}

	/**
	 * A command in the protocol's form.
	 * @param arguments the command and its arguments
	 * @return the bytes to send
	 */
	static byte[] command(String... arguments) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		write(out, "*" + arguments.length + "\r\n");
		for (String argument : arguments) {
			byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
			write(out, "$" + bytes.length + "\r\n");
			out.write(bytes, 0, bytes.length);
			write(out, "\r\n");
		}
		return out.toByteArray();
	}

	private static void write(ByteArrayOutputStream out, String text) {
		byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
		out.write(bytes, 0, bytes.length);
	}

	/** An error reply. */
	record Error(String message) {

	}

	/** A RESP3 push: out-of-band data, such as an invalidation. */
	record Push(List<@Nullable Object> content) {

		/**
		 * The push's kind, its first element.
		 * @return the kind, or an empty string
		 */
		String kind() {
			return (!this.content.isEmpty() && this.content.get(0) instanceof String kind) ? kind : "";
		}

	}

	/**
	 * Reads frames from bytes as they arrive. Values are {@link String} (simple, bulk and
	 * verbatim strings, doubles and big numbers as text), {@link Long}, {@link Boolean},
	 * {@link List} (arrays, sets, and maps as keys and values in turn), {@link Error},
	 * {@link Push}, and {@code null}.
	 */
	static final class Reader {

		/** Returned by {@link #next()} while no whole frame has arrived. */
		static final Object INCOMPLETE = new Object();

		private byte[] buffer = new byte[4096];

		private int start;

		private int end;

		private int position;

		/**
		 * Adds bytes that arrived.
		 * @param bytes the bytes
		 * @param offset where they start
		 * @param length how many
		 */
		void add(byte[] bytes, int offset, int length) {
			if (this.end + length > this.buffer.length) {
				int kept = this.end - this.start;
				byte[] target = (kept + length > this.buffer.length)
						? new byte[Math.max(this.buffer.length * 2, kept + length)] : this.buffer;
				System.arraycopy(this.buffer, this.start, target, 0, kept);
				this.buffer = target;
				this.start = 0;
				this.end = kept;
			}
			System.arraycopy(bytes, offset, this.buffer, this.end, length);
			this.end += length;
		}

		/**
		 * Whether bytes of a frame not yet whole are waiting.
		 * @return whether part of a frame is buffered
		 */
		boolean hasPartialFrame() {
			return this.end > this.start;
		}

		/** Forgets every byte: the connection is gone. */
		void clear() {
			this.start = 0;
			this.end = 0;
			this.buffer = (this.buffer.length > 65536) ? new byte[4096] : this.buffer;
		}

		/**
		 * The next whole frame.
		 * @return the frame's value, or {@link #INCOMPLETE}
		 * @throws IllegalStateException when the bytes are not the protocol
		 */
		@Nullable Object next() {
			this.position = this.start;
			Object value = value();
			if (value != INCOMPLETE) {
				this.start = this.position;
				if (this.start == this.end) {
					this.start = 0;
					this.end = 0;
				}
			}
			return value;
		}

		private @Nullable Object value() {
			if (this.position >= this.end) {
				return INCOMPLETE;
			}
			byte type = this.buffer[this.position++];
			String line = line();
			if (line == null) {
				return INCOMPLETE;
			}
			return switch (type) {
				case '+', ',', '(' -> line;
				case '-', '!' -> (type == '-') ? new Error(line) : bulkError(line);
				case ':' -> Long.parseLong(line);
				case '#' -> "t".equals(line);
				case '_' -> null;
				case '$' -> bulk(line);
				case '=' -> {
					// A verbatim string starts with its format: "txt:".
					Object text = bulk(line);
					yield (text instanceof String verbatim && verbatim.length() >= 4) ? verbatim.substring(4) : text;
				}
				case '*', '~' -> aggregate(line, 1);
				case '%' -> aggregate(line, 2);
				case '>' -> {
					Object content = aggregate(line, 1);
					yield (content instanceof List<?> list) ? new Push(castList(list)) : content;
				}
				case '|' -> {
					// Attributes come before the value they describe: skipped.
					Object attributes = aggregate(line, 2);
					yield (attributes == INCOMPLETE) ? INCOMPLETE : value();
				}
				default -> throw new IllegalStateException("Not the Redis protocol: type byte " + type);
			};
		}

		@SuppressWarnings("unchecked")
		private static List<@Nullable Object> castList(List<?> list) {
			return (List<@Nullable Object>) list;
		}

		private @Nullable Object bulkError(String length) {
			Object message = bulk(length);
			return (message instanceof String text) ? new Error(text) : message;
		}

		private @Nullable Object bulk(String length) {
			int size = Integer.parseInt(length);
			if (size < 0) {
				return null;
			}
			if (this.position + size + 2 > this.end) {
				return INCOMPLETE;
			}
			String value = new String(this.buffer, this.position, size, StandardCharsets.UTF_8);
			this.position += size + 2;
			return value;
		}

		private @Nullable Object aggregate(String length, int perElement) {
			int count = Integer.parseInt(length);
			if (count < 0) {
				return null;
			}
			List<@Nullable Object> values = new ArrayList<>(Math.min(count * perElement, 1024));
			for (int i = 0; i < count * perElement; i++) {
				Object value = value();
				if (value == INCOMPLETE) {
					return INCOMPLETE;
				}
				values.add(value);
			}
			return values;
		}

		private @Nullable String line() {
			for (int i = this.position; i + 1 < this.end; i++) {
				if (this.buffer[i] == '\r' && this.buffer[i + 1] == '\n') {
					String line = new String(this.buffer, this.position, i - this.position, StandardCharsets.UTF_8);
					this.position = i + 2;
					return line;
				}
			}
			return null;
		}

		@Override
		public String toString() {
			return "Resp.Reader" + Arrays.toString(new int[] { this.start, this.end });
		}

	}

}
