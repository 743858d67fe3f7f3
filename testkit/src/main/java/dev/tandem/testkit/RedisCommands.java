/*
 * Copyright 2026 the original author or authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package dev.tandem.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Redis commands over a fresh connection to {@code 127.0.0.1}, in RESP: enough for the
 * testkit to set up Sentinel and Cluster and to wait for them, without a client library.
 *
 * @author Tandem contributors
 */
final class RedisCommands {

	private static final int CONNECT_TIMEOUT_MILLIS = 500;

	private static final int READ_TIMEOUT_MILLIS = 5000;

	private RedisCommands() {
	}

	/**
	 * Send one command and return its reply: a {@link String} for a simple or bulk
	 * string, a {@link Long} for an integer, a {@link List} for an array, {@code null}
	 * for a null reply.
	 * @param port the server's port on {@code 127.0.0.1}
	 * @param command the command and its arguments
	 * @return the reply
	 * @throws ErrorReply when the server answers with an error
	 * @throws IOException when the server cannot be reached or the connection breaks
	 */
	static Object call(int port, List<String> command) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(FreePorts.HOST, port), CONNECT_TIMEOUT_MILLIS);
			socket.setSoTimeout(READ_TIMEOUT_MILLIS);
			OutputStream out = socket.getOutputStream();
			out.write(encode(command));
			out.flush();
			return read(new BufferedInputStream(socket.getInputStream()));
		}
	}

	static Object call(int port, String... command) throws IOException {
		return call(port, List.of(command));
	}

	/**
	 * Send a command whose reply is text, such as {@code INFO} or {@code CLUSTER INFO},
	 * and return its {@code field:value} lines as a map.
	 */
	static Map<String, String> fields(int port, String... command) throws IOException {
		Map<String, String> fields = new HashMap<>();
		for (String line : String.valueOf(call(port, command)).split("\r?\n")) {
			int colon = line.indexOf(':');
			if (colon > 0) {
				fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
			}
		}
		return fields;
	}

	/**
	 * Turn a flat array of names and values, as {@code SENTINEL MASTER} answers, into a
	 * map.
	 */
	static Map<String, String> pairs(Object reply) {
		Map<String, String> pairs = new HashMap<>();
		if (reply instanceof List<?> list) {
			for (int i = 0; i + 1 < list.size(); i += 2) {
				pairs.put(String.valueOf(list.get(i)), String.valueOf(list.get(i + 1)));
			}
		}
		return pairs;
	}

	private static byte[] encode(List<String> command) {
		StringBuilder request = new StringBuilder();
		request.append('*').append(command.size()).append("\r\n");
		for (String argument : command) {
			byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
			request.append('$').append(bytes.length).append("\r\n").append(argument).append("\r\n");
		}
		return request.toString().getBytes(StandardCharsets.UTF_8);
	}

	private static Object read(InputStream in) throws IOException {
		String line = RedisServer.readLine(in);
		if (line.isEmpty()) {
			throw new IOException("Empty reply line");
		}
		String rest = line.substring(1);
		switch (line.charAt(0)) {
			case '+':
				return rest;
			case '-':
				throw new ErrorReply(rest);
			case ':':
				return Long.parseLong(rest);
			case '$': {
				int length = Integer.parseInt(rest);
				if (length < 0) {
					return null;
				}
				byte[] body = in.readNBytes(length + 2);
				if (body.length != length + 2) {
					throw new IOException("Connection closed inside a reply");
				}
				return new String(body, 0, length, StandardCharsets.UTF_8);
			}
			case '*': {
				int count = Integer.parseInt(rest);
				if (count < 0) {
					return null;
				}
				List<Object> elements = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					try {
						elements.add(read(in));
					}
					catch (ErrorReply ex) {
						elements.add(ex);
					}
				}
				return elements;
			}
			default:
				throw new IOException("Unexpected reply line: " + line);
		}
	}

	/**
	 * An error reply, such as {@code MOVED 3999 127.0.0.1:6381} or
	 * {@code READONLY You can't write against a read only replica.}.
	 */
	static final class ErrorReply extends IOException {

		ErrorReply(String message) {
			super(message);
		}

	}

}
