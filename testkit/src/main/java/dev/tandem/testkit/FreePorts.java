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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free TCP ports on {@code 127.0.0.1}, each handed out at most once per JVM, so that a
 * stopped server (PostgreSQL or Redis) can start again on its port without another server
 * of the testkit having taken it meanwhile.
 *
 * @author Tandem contributors
 */
final class FreePorts {

	static final String HOST = "127.0.0.1";

	private static final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

	private FreePorts() {
	}

	/**
	 * Return a port that is free now and that this JVM has not handed out before.
	 * @param taken further ports to avoid
	 * @return the port
	 * @throws IllegalStateException if no such port turns up
	 */
	static int next(Set<Integer> taken) {
		for (int attempt = 0; attempt < 50; attempt++) {
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
				int port = socket.getLocalPort();
				if (!taken.contains(port) && handedOut.add(port)) {
					return port;
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not find a free port on " + HOST, ex);
			}
		}
		throw new IllegalStateException("Could not find a free port on " + HOST);
	}

	/**
	 * Return a port as {@link #next(Set)} does whose partner {@code port + offset} is
	 * free too (and is then handed out as well), such as a Redis Cluster node's bus port.
	 * @param offset the distance of the partner port
	 * @return the port
	 * @throws IllegalStateException if no such pair turns up
	 */
	static int nextWithPartner(int offset) {
		for (int attempt = 0; attempt < 50; attempt++) {
			int port = next(Set.of());
			int partner = port + offset;
			if (partner <= 65535 && !handedOut.contains(partner) && isFree(partner) && handedOut.add(partner)) {
				return port;
			}
		}
		throw new IllegalStateException(
				"Could not find a free port on " + HOST + " whose port + " + offset + " is free too");
	}

	private static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Mark a port chosen by the caller as handed out, so that {@link #next(Set)} avoids
	 * it.
	 * @param port the port
	 */
	static void reserve(int port) {
		handedOut.add(port);
	}

}
