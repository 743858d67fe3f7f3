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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis server on {@code 127.0.0.1} for tests, started from the
 * {@code redis-server} binary that the {@code com.github.codemonstur:embedded-redis} jar
 * ships (or one on the {@code PATH}); no Docker, no installed Redis.
 * <p>
 * The server keeps nothing on disk ({@code save ""}, {@code appendonly no}), so its data
 * is gone after {@link #stop()}. {@link #stop()} and {@link #start()} may alternate: the
 * server comes back on the same port, as a restarted Redis would. {@link #close()} stops
 * it and deletes its folder {@code <baseDirectory>/<name>}.
 * <p>
 * Servers outlive a JVM that dies without {@link #close()}; the next
 * {@link Builder#start()} with the same base directory and name stops such a leftover
 * first, by the pid recorded in its folder. A JVM shutdown hook stops servers that are
 * still open.
 *
 * @author Tandem contributors
 */
public final class RedisServer implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RedisServer.class);

	static final Duration START_TIMEOUT = Duration.ofSeconds(30);

	static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

	static final String PID_FILE = "redis-server.pid";

	static final String LOG_FILE = "server.log";

	static final String CONFIG_FILE = "redis.conf";

	private static final Duration POLL = Duration.ofMillis(10);

	private static final int CONNECT_TIMEOUT_MILLIS = 500;

	private static final int READ_TIMEOUT_MILLIS = 1000;

	private static final int LOG_LINES = 30;

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

	private static final Pattern PROCESS_ID = Pattern.compile("(?m)^process_id:(\\d+)");

	private static final Set<RedisServer> open = ConcurrentHashMap.newKeySet();

	private static final AtomicBoolean shutdownHookRegistered = new AtomicBoolean();

	private final String name;

	private final Path directory;

	private final RedisBinary binary;

	private final boolean portChosenByTestkit;

	private final List<String> arguments;

	private volatile int port;

	private volatile long pid;

	private volatile boolean closed;

	private RedisServer(String name, Path directory, RedisBinary binary, int port, boolean portChosenByTestkit,
			List<String> arguments) {
		this.name = name;
		this.directory = directory;
		this.binary = binary;
		this.port = port;
		this.portChosenByTestkit = portChosenByTestkit;
		this.arguments = arguments;
	}

	/**
	 * Start a server with the defaults documented on {@link Builder}: a free port, name
	 * {@code redis}. Shorthand for {@code RedisServer.builder().start()}.
	 * @return the running server; close it when done
	 * @throws IllegalStateException if it does not start
	 */
	public static RedisServer startNew() {
		return builder().start();
	}

	/**
	 * Return a builder for a server with the defaults documented on {@link Builder}.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return the address the server listens on, always {@code 127.0.0.1}.
	 * @return the host
	 */
	public String host() {
		return FreePorts.HOST;
	}

	/**
	 * Return the TCP port the server listens on; it stays the same across {@link #stop()}
	 * and {@link #start()}.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Return the server's URL, such as {@code redis://127.0.0.1:6379}, for example for
	 * {@code spring.data.redis.url}.
	 * @return the URL
	 */
	public String url() {
		return "redis://" + host() + ":" + this.port;
	}

	/**
	 * Return the name of this server, also its folder under the base directory.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Return the folder of this server: its working directory, pid file and log.
	 * @return the folder
	 */
	public Path directory() {
		return this.directory;
	}

	/**
	 * Return the file the server writes its log to; it is kept across restarts.
	 * @return the server log
	 */
	public Path logFile() {
		return this.directory.resolve(LOG_FILE);
	}

	/**
	 * Return whether the server process is alive.
	 * @return whether the server runs
	 */
	public boolean isRunning() {
		long pid = this.pid;
		return pid > 0 && Processes.isAlive(pid);
	}

	/**
	 * Return how long the server has run, as it reports ({@code uptime_in_seconds} of
	 * {@code INFO server}); a restart counts from zero again. A client that distrusts a
	 * Redis that restarted a moment ago (it may have lost what was written before) waits
	 * on this.
	 * @return the uptime, in whole seconds
	 * @throws IllegalStateException if the server does not answer, or its answer has no
	 * uptime
	 */
	public Duration uptime() {
		String seconds;
		try {
			seconds = RedisCommands.fields(this.port, "INFO", "server").get("uptime_in_seconds");
		}
		catch (IOException ex) {
			throw new IllegalStateException("Redis on port " + this.port + " does not answer INFO: " + ex.getMessage(),
					ex);
		}
		if (seconds == null) {
			throw new IllegalStateException("Redis on port " + this.port + " reports no uptime_in_seconds");
		}
		return Duration.ofSeconds(Long.parseLong(seconds));
	}

	/**
	 * Start the server again after {@link #stop()}, on the same port, and wait until it
	 * answers {@code PING}. It starts empty. Does nothing if the server runs.
	 * @throws IllegalStateException if the server is closed, or does not start (for
	 * example because another process took its port meanwhile); the message holds the
	 * last lines of the server log
	 */
	public synchronized void start() {
		if (this.closed) {
			throw new IllegalStateException(this + " is closed");
		}
		if (!isRunning()) {
			long started = System.nanoTime();
			launch(false);
			logger.info("Restarted {} in {} ms", this, (System.nanoTime() - started) / 1_000_000);
		}
	}

	/**
	 * Stop the server and wait until its process is gone: {@code SHUTDOWN NOSAVE}, which
	 * closes every connection and exits at once (there is nothing to save); if the
	 * process (known by its pid) still lives after 2 s, {@code SIGTERM}, then
	 * {@code SIGKILL} after 10 s more. New connections are then refused. Does nothing if
	 * the server does not run or is closed.
	 * @throws IllegalStateException if the process does not go away
	 */
	public synchronized void stop() {
		if (!this.closed) {
			stopProcess();
		}
	}

	/**
	 * Stop the server and delete its folder. Calling it again does nothing.
	 * @throws IllegalStateException if the server cannot be stopped; the folder is then
	 * kept and the next start with the same name cleans it up
	 */
	@Override
	public void close() {
		synchronized (this) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			try {
				stopProcess();
			}
			finally {
				open.remove(this);
			}
		}
		FileTree.delete(this.directory);
	}

	@Override
	public String toString() {
		return "RedisServer '" + this.name + "' (" + host() + ":" + this.port + ")";
	}

	long pid() {
		return this.pid;
	}

	/**
	 * Return the server's address as {@code host:port}.
	 * @return the address
	 */
	String address() {
		return host() + ":" + this.port;
	}

	/**
	 * Return the file of a server started with a configuration file; the server may
	 * rewrite it ({@code CONFIG REWRITE}, Sentinel's state), and it is kept across
	 * restarts.
	 */
	Path configFile() {
		return this.directory.resolve(CONFIG_FILE);
	}

	private void stopProcess() {
		long pid = this.pid;
		if (pid > 0 && Processes.isAlive(pid)) {
			long started = System.nanoTime();
			// Redis acts on SIGTERM only in its next serverCron run, up to 100 ms later;
			// SHUTDOWN exits at once. The port is ours while our process lives.
			shutdown(this.port);
			if (!Processes.awaitDeath(pid, SHUTDOWN_TIMEOUT) && !terminate(pid)) {
				throw new IllegalStateException("Could not stop " + this + " (pid " + pid + ")");
			}
			logger.debug("Stopped {} in {} ms", this, (System.nanoTime() - started) / 1_000_000);
		}
		deletePidFile(this.directory);
	}

	/**
	 * Send {@code SHUTDOWN NOSAVE}; the server exits without a reply.
	 */
	private static void shutdown(int port) {
		try (Socket socket = connect(port)) {
			OutputStream out = socket.getOutputStream();
			out.write("SHUTDOWN NOSAVE\r\n".getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			socket.getInputStream().read();
		}
		catch (IOException ex) {
			// the pid-based fallback takes over
		}
	}

	/**
	 * Start the process and wait until it answers. With {@code mayChangePort}, a port the
	 * testkit chose that turns out to be taken is replaced by another free one.
	 */
	private void launch(boolean mayChangePort) {
		int attempts = (mayChangePort && this.portChosenByTestkit) ? 3 : 1;
		for (int attempt = 1;; attempt++) {
			long logStart = size(logFile());
			Process process = spawn();
			this.pid = process.pid();
			writePidFile(this.directory, process.pid());
			Readiness readiness = awaitReady(process);
			if (readiness == Readiness.READY) {
				return;
			}
			if (process.isAlive() && !terminate(process.pid())) {
				throw new IllegalStateException("Could not stop " + this + " (pid " + process.pid()
						+ ") after it failed to start; see " + logFile());
			}
			deletePidFile(this.directory);
			String log = FileTree.tail(logFile(), LOG_LINES);
			boolean portTaken = readiness == Readiness.OTHER_SERVER
					|| readFrom(logFile(), logStart).contains("Address already in use");
			if (attempt < attempts && portTaken) {
				this.port = FreePorts.next(Set.of());
				continue;
			}
			throw new IllegalStateException("Could not start " + this + " from " + this.binary.executable() + ": "
					+ readiness.description(START_TIMEOUT) + (portTaken ? " (port " + this.port + " is taken)" : "")
					+ System.lineSeparator() + "Last lines of " + logFile() + ":" + System.lineSeparator() + log);
		}
	}

	private static long size(Path file) {
		try {
			return Files.exists(file) ? Files.size(file) : 0;
		}
		catch (IOException ex) {
			return 0;
		}
	}

	/** Return what a start wrote to the log, which keeps the output of earlier ones. */
	private static String readFrom(Path file, long offset) {
		try (InputStream in = Files.newInputStream(file)) {
			in.skipNBytes(offset);
			return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
		}
		catch (IOException ex) {
			return "";
		}
	}

	private Process spawn() {
		// Redis 6.2 turns "--save" followed by an empty argument into save "", which
		// turns RDB snapshots off.
		// A configuration file, when there is one, must come first; options on the
		// command line override its lines.
		List<String> command = new ArrayList<>();
		command.add(this.binary.executable().toString());
		if (Files.exists(configFile())) {
			command.add(configFile().toString());
		}
		command.addAll(List.of("--port", Integer.toString(this.port), "--bind", FreePorts.HOST, "--protected-mode",
				"no", "--save", "", "--appendonly", "no", "--dir", this.directory.toString(), "--daemonize", "no"));
		command.addAll(this.arguments);
		try {
			Process process = new ProcessBuilder(command).directory(this.directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
				.start();
			process.getOutputStream().close();
			return process;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run " + command, ex);
		}
	}

	private Readiness awaitReady(Process process) {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (true) {
			if (!process.isAlive()) {
				return Readiness.EXITED;
			}
			if (ping(this.port)) {
				// Another server on the port answers too, while ours fails to bind.
				Optional<Long> answering = serverPid(this.port);
				if (answering.isPresent()) {
					return (answering.get() == process.pid()) ? Readiness.READY : Readiness.OTHER_SERVER;
				}
			}
			if (System.nanoTime() - deadline > 0) {
				return Readiness.TIMED_OUT;
			}
			Processes.pause(POLL);
		}
	}

	/**
	 * Return whether a server on {@code port} answers {@code PING} with {@code +PONG}.
	 * @param port the port on {@code 127.0.0.1}
	 * @return whether it answers
	 */
	static boolean ping(int port) {
		try (Socket socket = connect(port)) {
			return "+PONG".equals(send(socket, "PING"));
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Return the pid that the server on {@code port} reports in {@code INFO server}.
	 */
	private static Optional<Long> serverPid(int port) {
		try (Socket socket = connect(port)) {
			String header = send(socket, "INFO server");
			if (!header.startsWith("$")) {
				return Optional.empty();
			}
			byte[] body = socket.getInputStream().readNBytes(Integer.parseInt(header.substring(1)));
			Matcher matcher = PROCESS_ID.matcher(new String(body, StandardCharsets.ISO_8859_1));
			return matcher.find() ? Optional.of(Long.parseLong(matcher.group(1))) : Optional.empty();
		}
		catch (IOException | NumberFormatException ex) {
			return Optional.empty();
		}
	}

	private static Socket connect(int port) throws IOException {
		Socket socket = new Socket();
		try {
			socket.connect(new InetSocketAddress(FreePorts.HOST, port), CONNECT_TIMEOUT_MILLIS);
			socket.setSoTimeout(READ_TIMEOUT_MILLIS);
			return socket;
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
	}

	/**
	 * Send an inline command and return the first line of the reply, without its CRLF.
	 */
	private static String send(Socket socket, String inlineCommand) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write((inlineCommand + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
		return readLine(socket.getInputStream());
	}

	/**
	 * Read one line of a RESP reply, without its CRLF.
	 * @param in the connection's input
	 * @return the line
	 * @throws IOException when the connection closes before a full line
	 */
	static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int previous = -1;
		int current;
		while ((current = in.read()) != -1) {
			if (previous == '\r' && current == '\n') {
				byte[] bytes = line.toByteArray();
				return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
			}
			line.write(current);
			previous = current;
		}
		throw new IOException("Connection closed before a full reply line");
	}

	/**
	 * Stop a process by pid: {@code SIGTERM}, then {@code SIGKILL}, each followed by a
	 * bounded wait.
	 * @return whether the process is gone
	 */
	private static boolean terminate(long pid) {
		Optional<ProcessHandle> handle = ProcessHandle.of(pid);
		handle.ifPresent(ProcessHandle::destroy);
		if (Processes.awaitDeath(pid, STOP_TIMEOUT)) {
			return true;
		}
		handle.ifPresent(ProcessHandle::destroyForcibly);
		return Processes.awaitDeath(pid, STOP_TIMEOUT);
	}

	/**
	 * Stop a server left running in {@code directory} by a run that did not close it, if
	 * the pid in its pid file still names a {@code redis-server} working in that folder
	 * (pids get reused).
	 */
	static void stopLeftover(Path directory) {
		readPidFile(directory).filter((pid) -> Processes.isAlive(pid) && isRedisServerIn(pid, directory))
			.ifPresent((pid) -> {
				logger.warn("Stopping Redis server (pid {}) left running in {} by a server that was not closed", pid,
						directory);
				if (!terminate(pid)) {
					throw new IllegalStateException(
							"Could not stop the leftover Redis server (pid " + pid + ") in " + directory);
				}
			});
	}

	static boolean isRedisServerIn(long pid, Path directory) {
		String command = ProcessHandle.of(pid).flatMap((process) -> process.info().command()).orElse("");
		String commandLine;
		try {
			commandLine = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"),
					StandardCharsets.ISO_8859_1);
		}
		catch (IOException ex) {
			commandLine = "";
		}
		if (!command.contains(RedisBinary.EXECUTABLE) && !commandLine.contains(RedisBinary.EXECUTABLE)) {
			return false;
		}
		try {
			return Path.of("/proc", Long.toString(pid), "cwd").toRealPath().equals(directory.toRealPath());
		}
		catch (IOException ex) {
			// No /proc to ask: the pid file in the folder and the command name have to
			// do.
			return true;
		}
	}

	static Optional<Long> readPidFile(Path directory) {
		try {
			return Optional.of(Long.parseLong(Files.readString(directory.resolve(PID_FILE)).trim()));
		}
		catch (IOException | NumberFormatException ex) {
			return Optional.empty();
		}
	}

	private static void writePidFile(Path directory, long pid) {
		try {
			Files.writeString(directory.resolve(PID_FILE), pid + "\n");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not write the pid file of the Redis server in " + directory, ex);
		}
	}

	private static void deletePidFile(Path directory) {
		try {
			Files.deleteIfExists(directory.resolve(PID_FILE));
		}
		catch (IOException ex) {
			// the next start reads a dead pid and ignores it
		}
	}

	/**
	 * Disown a server of this JVM that was not closed and lives in the folder about to be
	 * reused, so that closing it later cannot delete the new server's folder.
	 */
	private static void forgetEarlierServerIn(Path directory) {
		for (RedisServer earlier : open) {
			if (earlier.directory.equals(directory)) {
				synchronized (earlier) {
					earlier.closed = true;
				}
				open.remove(earlier);
			}
		}
	}

	private static void registerShutdownHook() {
		if (shutdownHookRegistered.compareAndSet(false, true)) {
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				for (RedisServer server : open) {
					try {
						server.stopProcess();
					}
					catch (RuntimeException ex) {
						logger.warn("Could not stop {}", server, ex);
					}
				}
			}, "tandem-testkit-redis-shutdown"));
		}
	}

	/**
	 * Check the name of a server or a set of servers, also the name of its folder.
	 * @param name the name
	 * @return the name
	 * @throws IllegalArgumentException if it is not letters, digits, '.', '_' and '-', or
	 * starts with {@code pg-} or {@code redis-server-}
	 */
	static String checkName(String name) {
		Objects.requireNonNull(name, "name must not be null");
		if (!NAME.matcher(name).matches() || name.startsWith("pg-") || name.startsWith("redis-server-")) {
			throw new IllegalArgumentException("name '" + name + "' must be letters, digits, '.', '_' and '-', "
					+ "and must not start with 'pg-' or 'redis-server-' (used for the binaries)");
		}
		return name;
	}

	private enum Readiness {

		READY, EXITED, OTHER_SERVER, TIMED_OUT;

		String description(Duration timeout) {
			return switch (this) {
				case READY -> "ready";
				case EXITED -> "redis-server exited";
				case OTHER_SERVER -> "another Redis server answers on its port";
				case TIMED_OUT -> "no answer to PING within " + timeout;
			};
		}

	}

	/**
	 * Builder for a {@link RedisServer}. Defaults: a free port, name {@code redis}, base
	 * directory from the system property {@code tandem.testkit.dir} or else
	 * {@code target/tandem-testkit} (the same as {@link PostgresCluster}'s).
	 */
	public static final class Builder {

		private int port;

		private String name = "redis";

		private Path baseDirectory;

		private RedisBinary binary;

		private String configuration;

		private List<String> arguments = List.of();

		private Builder() {
		}

		/**
		 * Use this binary rather than the one of the base directory (servers of a set
		 * share the set's).
		 */
		Builder binary(RedisBinary binary) {
			this.binary = binary;
			return this;
		}

		/**
		 * Start the server with a configuration file of these lines, written into its
		 * folder before the first start.
		 */
		Builder configuration(String configuration) {
			this.configuration = configuration;
			return this;
		}

		/**
		 * Append these options to the command line, after the testkit's own.
		 */
		public Builder arguments(List<String> arguments) {
			this.arguments = List.copyOf(arguments);
			return this;
		}

		/**
		 * Set the port to listen on.
		 * @param port 1 to 65535, or 0 (the default) for a free port chosen at start
		 * @return this builder
		 */
		public Builder port(int port) {
			if (port < 0 || port > 65535) {
				throw new IllegalArgumentException("port must be between 0 (a free port) and 65535, but was " + port);
			}
			this.port = port;
			return this;
		}

		/**
		 * Set the name of the server, also the name of its folder under the base
		 * directory. Two servers (or a server and a {@link PostgresCluster}) alive at the
		 * same time need different names or base directories.
		 * @param name letters, digits, '.', '_' and '-', not starting with {@code pg-} or
		 * {@code redis-server-}; default {@code redis}
		 * @return this builder
		 */
		public Builder name(String name) {
			this.name = checkName(name);
			return this;
		}

		/**
		 * Set the base directory that holds the copied binary and the server's folder.
		 * @param directory the base directory; default the system property
		 * {@code tandem.testkit.dir} if set, else {@code target/tandem-testkit} resolved
		 * against the working directory
		 * @return this builder
		 */
		public Builder baseDirectory(Path directory) {
			this.baseDirectory = Objects.requireNonNull(directory, "directory must not be null");
			return this;
		}

		/**
		 * Create and start the server: stop a leftover of an earlier run with the same
		 * base directory and name and delete its folder, copy the binary out of the jar
		 * if needed, start {@code redis-server} and wait until it answers {@code PING}.
		 * @return the running server; close it when done
		 * @throws IllegalStateException if there is no usable {@code redis-server} or it
		 * does not start; the message holds the last lines of the server log
		 */
		public RedisServer start() {
			long started = System.nanoTime();
			Path base = ((this.baseDirectory != null) ? this.baseDirectory : PostgresCluster.defaultBaseDirectory())
				.toAbsolutePath()
				.normalize();
			RedisBinary binary = (this.binary != null) ? this.binary : RedisBinary.in(base);
			Path directory = base.resolve(this.name);
			forgetEarlierServerIn(directory);
			stopLeftover(directory);
			FileTree.delete(directory);
			try {
				Files.createDirectories(directory);
				if (this.configuration != null) {
					Files.writeString(directory.resolve(CONFIG_FILE), this.configuration);
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			int port = this.port;
			if (port == 0) {
				port = FreePorts.next(Set.of());
			}
			else {
				FreePorts.reserve(port);
			}
			RedisServer server = new RedisServer(this.name, directory, binary, port, this.port == 0, this.arguments);
			registerShutdownHook();
			open.add(server);
			try {
				server.launch(true);
			}
			catch (RuntimeException ex) {
				// Keep the folder: its log explains the failure. The next start removes
				// it.
				server.closed = true;
				open.remove(server);
				throw ex;
			}
			logger.info("Started {} with redis-server {} in {} ms", server, binary.version(),
					(System.nanoTime() - started) / 1_000_000);
			return server;
		}

	}

}
