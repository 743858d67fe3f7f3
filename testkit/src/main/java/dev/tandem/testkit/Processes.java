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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs the PostgreSQL command-line tools and checks on server processes.
 *
 * @author Tandem contributors
 */
final class Processes {

	/**
	 * Whether this JVM runs as root: {@code initdb} and {@code postgres} refuse uid 0, so
	 * every command then runs in a new user namespace ({@code unshare -U}), where root
	 * appears as an unprivileged user while files stay root-owned.
	 */
	static final boolean ROOT = isRoot();

	private Processes() {
	}

	/**
	 * Run a command to completion, bounded by {@code timeout}.
	 * @param command the command
	 * @param timeout how long it may take; it is killed after that
	 * @return the exit code and combined output
	 */
	static Result run(List<String> command, Duration timeout) {
		return run(command, timeout, ROOT);
	}

	/**
	 * Run a command to completion, bounded by {@code timeout}, never in a new user
	 * namespace.
	 * @param command the command
	 * @param timeout how long it may take; it is killed after that
	 * @return the exit code and combined output
	 */
	static Result runDirectly(List<String> command, Duration timeout) {
		return run(command, timeout, false);
	}

	private static Result run(List<String> command, Duration timeout, boolean unshare) {
		List<String> full = new ArrayList<>();
		if (unshare) {
			full.add("unshare");
			full.add("-U");
		}
		full.addAll(command);
		Path output = null;
		try {
			output = Files.createTempFile("tandem-testkit-", ".out");
			ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile());
			Map<String, String> environment = builder.environment();
			// PG* variables of the calling shell must not redirect our tools elsewhere.
			environment.keySet().removeIf((name) -> name.startsWith("PG"));
			environment.put("LC_ALL", "C");
			Process process = builder.start();
			process.getOutputStream().close();
			if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				process.destroyForcibly();
				process.waitFor(5, TimeUnit.SECONDS);
				return new Result(-1, read(output) + System.lineSeparator() + "(killed after " + timeout + ")");
			}
			return new Result(process.exitValue(), read(output));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run " + full, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running " + full, ex);
		}
		finally {
			if (output != null) {
				try {
					Files.deleteIfExists(output);
				}
				catch (IOException ex) {
					// a temp file left behind is harmless
				}
			}
		}
	}

	/**
	 * Return whether a process is alive. A zombie (exited but not yet reaped, which
	 * happens to daemons whose parent is a container's init) counts as dead.
	 * @param pid the process id
	 * @return whether the process runs
	 */
	static boolean isAlive(long pid) {
		Path stat = Path.of("/proc", Long.toString(pid), "stat");
		try {
			String content = Files.readString(stat, StandardCharsets.ISO_8859_1);
			// The state follows the command name, which is in parentheses and may hold
			// spaces.
			int end = content.lastIndexOf(')');
			char state = (end >= 0 && end + 2 < content.length()) ? content.charAt(end + 2) : '?';
			return state != 'Z' && state != 'X' && state != 'x';
		}
		catch (IOException ex) {
			if (Files.isDirectory(Path.of("/proc/self"))) {
				return false;
			}
			return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
		}
	}

	/**
	 * Return the pid of the postmaster that owns {@code dataDirectory}, if one runs.
	 * @param dataDirectory the data directory
	 * @return the pid of the running postmaster
	 */
	static Optional<Long> postmasterPid(Path dataDirectory) {
		Path pidFile = dataDirectory.resolve("postmaster.pid");
		try {
			List<String> lines = Files.readAllLines(pidFile, StandardCharsets.ISO_8859_1);
			if (lines.isEmpty()) {
				return Optional.empty();
			}
			long pid = Long.parseLong(lines.get(0).trim());
			return isAlive(pid) ? Optional.of(pid) : Optional.empty();
		}
		catch (IOException | NumberFormatException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Kill a postmaster with SIGKILL if {@code pid} still names a postgres process, and
	 * wait (bounded) until it is gone.
	 * @param pid the postmaster's pid
	 * @param timeout how long to wait for it to go
	 * @return whether it is gone
	 */
	static boolean killPostgres(long pid, Duration timeout) {
		Optional<ProcessHandle> handle = ProcessHandle.of(pid);
		boolean postgres = handle.flatMap((process) -> process.info().command())
			.map((command) -> command.endsWith("/postgres") || command.equals("postgres"))
			.orElse(false);
		if (handle.isPresent() && postgres) {
			handle.get().destroyForcibly();
		}
		return awaitDeath(pid, timeout);
	}

	static boolean awaitDeath(long pid, Duration timeout) {
		return await(timeout, Duration.ofMillis(20), () -> !isAlive(pid));
	}

	/**
	 * Poll a condition until it holds or the timeout passes; the one waiting loop of the
	 * testkit.
	 * @param timeout how long to wait at most
	 * @param poll time between two looks
	 * @param done the condition
	 * @return whether the condition held in time
	 */
	static boolean await(Duration timeout, Duration poll, BooleanSupplier done) {
		return awaitUntil(System.nanoTime() + timeout.toNanos(), poll, done);
	}

	/**
	 * Poll a condition until it holds or {@code System.nanoTime()} passes a deadline.
	 * @param deadline the deadline, in {@link System#nanoTime()} terms
	 * @param poll time between two looks
	 * @param done the condition
	 * @return whether the condition held in time
	 */
	static boolean awaitUntil(long deadline, Duration poll, BooleanSupplier done) {
		while (!done.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				return false;
			}
			pause(poll);
		}
		return true;
	}

	static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

	private static boolean isRoot() {
		try {
			Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
			return Integer.valueOf(0).equals(uid);
		}
		catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
			return "root".equals(System.getProperty("user.name"));
		}
	}

	/**
	 * Outcome of a command.
	 *
	 * @param exitCode the exit code, -1 when killed after its timeout
	 * @param output the combined standard output and error
	 */
	record Result(int exitCode, String output) {

		boolean succeeded() {
			return this.exitCode == 0;
		}

	}

	private static String read(Path output) {
		try {
			return Files.readString(output, StandardCharsets.ISO_8859_1).strip();
		}
		catch (IOException ex) {
			return "(output unreadable: " + ex + ")";
		}
	}

}
