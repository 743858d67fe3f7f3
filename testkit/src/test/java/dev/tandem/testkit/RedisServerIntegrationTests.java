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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Integration tests for {@link RedisServer}, speaking RESP over raw sockets.
 *
 * @author Tandem contributors
 */
class RedisServerIntegrationTests {

	private final Path base = Path.of("target/tandem-testkit").toAbsolutePath();

	@Test
	void startAnswersPingOnLoopbackWithoutPersistence() throws IOException {
		try (RedisServer server = RedisServer.builder().baseDirectory(this.base).name("RedisPing").start()) {
			assertThat(server.isRunning()).isTrue();
			assertThat(server.host()).isEqualTo("127.0.0.1");
			assertThat(server.url()).isEqualTo("redis://127.0.0.1:" + server.port());
			assertThat(server.directory()).isEqualTo(this.base.resolve("RedisPing"));
			assertThat(inlinePing(server.port())).isEqualTo("+PONG");
			assertThat(command(server.port(), "CONFIG", "GET", "bind")).isEqualTo(List.of("bind", "127.0.0.1"));
			assertThat(command(server.port(), "CONFIG", "GET", "save")).isEqualTo(List.of("save", ""));
			assertThat(command(server.port(), "CONFIG", "GET", "appendonly")).isEqualTo(List.of("appendonly", "no"));
			assertThat(command(server.port(), "CONFIG", "GET", "dir"))
				.isEqualTo(List.of("dir", server.directory().toRealPath().toString()));
		}
	}

	@Test
	void setAndGetRoundTripOverResp() throws IOException {
		try (RedisServer server = RedisServer.builder().baseDirectory(this.base).name("RedisSetGet").start()) {
			assertThat(command(server.port(), "SET", "greeting", "hello world\r\n")).isEqualTo("OK");
			assertThat(command(server.port(), "GET", "greeting")).isEqualTo("hello world\r\n");
			assertThat(command(server.port(), "GET", "missing")).isNull();
		}
	}

	@Test
	void uptimeIsWhatTheServerReports() throws IOException {
		try (RedisServer server = RedisServer.builder().baseDirectory(this.base).name("RedisUptime").start()) {
			Duration before = server.uptime();
			String info = String.valueOf(command(server.port(), "INFO", "server"));
			Duration after = server.uptime();
			assertThat(before).isBetween(Duration.ZERO, Duration.ofSeconds(30));
			Matcher reported = Pattern.compile("uptime_in_seconds:(\\d+)").matcher(info);
			assertThat(reported.find()).as(info).isTrue();
			assertThat(Duration.ofSeconds(Long.parseLong(reported.group(1)))).isBetween(before, after);
		}
	}

	@Test
	void stopRefusesConnectionsAndStartComesBackOnTheSamePortWithoutTheData() throws IOException {
		try (RedisServer server = RedisServer.builder().baseDirectory(this.base).name("RedisRestart").start()) {
			int port = server.port();
			long pid = server.pid();
			assertThat(command(port, "SET", "key", "value")).isEqualTo("OK");
			server.stop();
			assertThat(server.isRunning()).isFalse();
			assertThat(Processes.isAlive(pid)).isFalse();
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> connect(port).close());
			assertThat(server.directory().resolve("dump.rdb")).doesNotExist();
			assertThat(server.directory().resolve(RedisServer.PID_FILE)).doesNotExist();
			server.stop();
			server.start();
			assertThat(server.isRunning()).isTrue();
			assertThat(server.port()).isEqualTo(port);
			assertThat(server.pid()).isNotEqualTo(pid);
			assertThat(inlinePing(port)).isEqualTo("+PONG");
			assertThat(command(port, "GET", "key")).isNull();
			assertThat(command(port, "SET", "key", "again")).isEqualTo("OK");
			server.start();
			assertThat(command(port, "GET", "key")).isEqualTo("again");
		}
	}

	@Test
	void startListensOnTheGivenPort() throws IOException {
		int port = FreePorts.next(Set.of());
		try (RedisServer server = RedisServer.builder().baseDirectory(this.base).name("RedisPort").port(port).start()) {
			assertThat(server.port()).isEqualTo(port);
			assertThat(inlinePing(port)).isEqualTo("+PONG");
		}
	}

	@Test
	void closeStopsTheServerAndDeletesItsFolder() {
		RedisServer server = RedisServer.builder().baseDirectory(this.base).name("RedisClosing").start();
		long pid = server.pid();
		Path folder = server.directory();
		assertThat(folder.resolve(RedisServer.PID_FILE)).hasContent(Long.toString(pid));
		server.close();
		assertThat(folder).doesNotExist();
		assertThat(Processes.isAlive(pid)).isFalse();
		assertThat(server.isRunning()).isFalse();
		server.close();
		server.stop();
		assertThatIllegalStateException().isThrownBy(server::start).withMessageContaining("is closed");
	}

	@Test
	void startStopsAServerLeftRunningInTheSameFolder() throws IOException {
		RedisServer abandoned = RedisServer.builder().baseDirectory(this.base).name("RedisReused").start();
		long leftover = abandoned.pid();
		try (RedisServer server = RedisServer.builder().baseDirectory(this.base).name("RedisReused").start()) {
			assertThat(Processes.isAlive(leftover)).isFalse();
			assertThat(inlinePing(server.port())).isEqualTo("+PONG");
			// Closing the abandoned one must leave the new server and its folder alone.
			abandoned.close();
			assertThat(server.isRunning()).isTrue();
			assertThat(server.directory().resolve(RedisServer.PID_FILE)).exists();
		}
	}

	@Test
	void startOnAPortTakenByAnotherProcessFailsWithTheServerLog() throws IOException {
		// Bound but not listening: Redis cannot bind, and probes are refused at once.
		try (Socket taken = new Socket()) {
			taken.bind(new InetSocketAddress("127.0.0.1", 0));
			RedisServer.Builder builder = RedisServer.builder()
				.baseDirectory(this.base)
				.name("RedisTakenPort")
				.port(taken.getLocalPort());
			assertThatIllegalStateException().isThrownBy(builder::start)
				.withMessageContaining("port " + taken.getLocalPort() + " is taken")
				.withMessageContaining("Address already in use");
		}
		FileTree.delete(this.base.resolve("RedisTakenPort"));
	}

	@Test
	void startOnAPortOfAnotherRedisServerFails() {
		try (RedisServer other = RedisServer.builder().baseDirectory(this.base).name("RedisOther").start()) {
			RedisServer.Builder builder = RedisServer.builder()
				.baseDirectory(this.base)
				.name("RedisSamePort")
				.port(other.port());
			assertThatIllegalStateException().isThrownBy(builder::start)
				.withMessageContaining("port " + other.port() + " is taken");
			assertThat(other.isRunning()).isTrue();
		}
		FileTree.delete(this.base.resolve("RedisSamePort"));
	}

	@Test
	void startStopsAServerLeftRunningByAJvmThatWasKilled() throws Exception {
		Process jvm = startJvmWithServer("RedisOrphaned", "hang");
		long orphan;
		try {
			orphan = readServerPid(jvm);
		}
		finally {
			// SIGKILL: no shutdown hook runs, so the server is left behind.
			jvm.destroyForcibly();
			jvm.waitFor(30, TimeUnit.SECONDS);
		}
		assertThat(Processes.isAlive(orphan)).isTrue();
		try (RedisServer server = RedisServer.builder().baseDirectory(this.base).name("RedisOrphaned").start()) {
			assertThat(Processes.isAlive(orphan)).isFalse();
			assertThat(server.isRunning()).isTrue();
		}
	}

	@Test
	void shutdownHookStopsServersThatWereNotClosed() throws Exception {
		Process jvm = startJvmWithServer("RedisUnclosed", "exit");
		long pid = readServerPid(jvm);
		assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(Processes.awaitDeath(pid, Duration.ofSeconds(10))).isTrue();
		FileTree.delete(this.base.resolve("RedisUnclosed"));
	}

	private Process startJvmWithServer(String name, String then) throws IOException {
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
				ServerInAnotherJvm.class.getName(), this.base.toString(), name, then)
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
	}

	private static long readServerPid(Process jvm) throws Exception {
		BufferedReader reader = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
		// Log lines come first on the same stream.
		String line = CompletableFuture.supplyAsync(() -> {
			try {
				String read;
				while ((read = reader.readLine()) != null && !read.startsWith("pid ")) {
				}
				return read;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}).get(30, TimeUnit.SECONDS);
		assertThat(line).as("pid printed by the other JVM").isNotNull();
		return Long.parseLong(line.substring(4));
	}

	private static Socket connect(int port) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
		socket.setSoTimeout(5000);
		return socket;
	}

	private static String inlinePing(int port) throws IOException {
		try (Socket socket = connect(port)) {
			socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			return readLine(socket.getInputStream());
		}
	}

	/**
	 * Send one command as a RESP array of bulk strings and return the reply: a string for
	 * simple strings, bulk strings and integers, {@code null} for a nil bulk string, a
	 * list for arrays.
	 */
	private static Object command(int port, String... arguments) throws IOException {
		try (Socket socket = connect(port)) {
			StringBuilder request = new StringBuilder("*" + arguments.length + "\r\n");
			for (String argument : arguments) {
				request.append('$')
					.append(argument.getBytes(StandardCharsets.UTF_8).length)
					.append("\r\n")
					.append(argument)
					.append("\r\n");
			}
			OutputStream out = socket.getOutputStream();
			out.write(request.toString().getBytes(StandardCharsets.UTF_8));
			out.flush();
			return reply(socket.getInputStream());
		}
	}

	private static Object reply(InputStream in) throws IOException {
		String line = readLine(in);
		String rest = line.substring(1);
		switch (line.charAt(0)) {
			case '+':
			case ':':
				return rest;
			case '-':
				throw new IllegalStateException("Redis error: " + rest);
			case '$':
				int length = Integer.parseInt(rest);
				if (length < 0) {
					return null;
				}
				byte[] bytes = in.readNBytes(length + 2);
				return new String(bytes, 0, length, StandardCharsets.UTF_8);
			case '*':
				List<Object> elements = new ArrayList<>();
				for (int i = Integer.parseInt(rest); i > 0; i--) {
					elements.add(reply(in));
				}
				return elements;
			default:
				throw new IllegalStateException("Unexpected reply: " + line);
		}
	}

	private static String readLine(InputStream in) throws IOException {
		return RedisServer.readLine(in);
	}

	/**
	 * Starts a server in a JVM of its own, prints its pid, then hangs or exits without
	 * closing it.
	 */
	static final class ServerInAnotherJvm {

		public static void main(String[] arguments) throws InterruptedException {
			RedisServer server = RedisServer.builder().baseDirectory(Path.of(arguments[0])).name(arguments[1]).start();
			System.out.println("pid " + server.pid());
			System.out.flush();
			if ("hang".equals(arguments[2])) {
				Thread.sleep(60_000);
			}
			System.exit(0);
		}

	}

}
