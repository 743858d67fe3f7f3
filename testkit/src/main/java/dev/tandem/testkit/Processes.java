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
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

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
		if (!Files.isDirectory(Path.of("/proc/self"))) {
			return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
		}
		char state = state(pid);
		return state != '?' && state != 'Z' && state != 'X' && state != 'x';
	}

	/**
	 * Return the state of a process as {@code /proc/<pid>/stat} gives it: {@code R},
	 * {@code S}, {@code D}, {@code T} (stopped by a signal), {@code Z} (zombie) and so
	 * on.
	 * @param pid the process id
	 * @return the state, {@code '?'} if there is no such process
	 */
	static char state(long pid) {
		String[] fields = statFields(pid);
		return (fields.length > 0 && !fields[0].isEmpty()) ? fields[0].charAt(0) : '?';
	}

	/**
	 * Return the fields of {@code /proc/<pid>/stat} that follow the command name (state,
	 * parent pid, ...), or none if the process is gone.
	 */
	private static String[] statFields(long pid) {
		try {
			String content = Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
					StandardCharsets.ISO_8859_1);
			// The command name is in parentheses and may hold spaces and parentheses.
			int end = content.lastIndexOf(')');
			return (end >= 0 && end + 2 < content.length()) ? content.substring(end + 2).split(" ") : new String[0];
		}
		catch (IOException ex) {
			return new String[0];
		}
	}

	/**
	 * Return every live descendant of a process (children, their children, ...), found by
	 * the parent pids in {@code /proc/<pid>/stat};
	 * {@code /proc/<pid>/task/<tid>/children} needs a kernel option and lists the
	 * children of one thread only.
	 * @param pid the process id
	 * @return the descendants' pids, parents before their children
	 */
	static List<Long> descendants(long pid) {
		Map<Long, List<Long>> children = new HashMap<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"),
				(entry) -> entry.getFileName().toString().chars().allMatch(Character::isDigit))) {
			for (Path entry : entries) {
				long child = Long.parseLong(entry.getFileName().toString());
				String[] fields = statFields(child);
				if (fields.length > 1 && fields[0].charAt(0) != 'Z') {
					children.computeIfAbsent(Long.parseLong(fields[1]), (key) -> new ArrayList<>()).add(child);
				}
			}
		}
		catch (IOException | NumberFormatException ex) {
			throw new IllegalStateException("Could not list the processes in /proc", ex);
		}
		List<Long> descendants = new ArrayList<>();
		Deque<Long> pending = new ArrayDeque<>(List.of(pid));
		while (!pending.isEmpty()) {
			for (long child : children.getOrDefault(pending.remove(), List.of())) {
				descendants.add(child);
				pending.add(child);
			}
		}
		return descendants;
	}

	/**
	 * Send a signal to processes with {@code kill -s}, by pid, as this JVM's user (never
	 * in a new user namespace, where root would lose the right to signal the servers).
	 * Pids of processes that are gone meanwhile are not an error.
	 * @param signal the signal name, such as {@code STOP} or {@code CONT}
	 * @param pids the processes
	 * @throws IllegalStateException if a live process could not be signalled
	 */
	static void signal(String signal, Collection<Long> pids) {
		if (pids.isEmpty()) {
			return;
		}
		Result result = kill(signal, pids);
		if (result.succeeded()) {
			return;
		}
		// kill signals every pid it can and exits with 1 if any failed. A process that
		// ended in between is expected: signal the live ones again (harmless for STOP
		// and CONT) and fail only if that fails too.
		List<Long> alive = pids.stream().filter(Processes::isAlive).collect(Collectors.toList());
		if (!alive.isEmpty()) {
			Result again = kill(signal, alive);
			if (!again.succeeded() && alive.stream().anyMatch(Processes::isAlive)) {
				throw new IllegalStateException("Could not send SIG" + signal + " to " + alive + ": kill exited with "
						+ again.exitCode() + System.lineSeparator() + again.output());
			}
		}
	}

	private static Result kill(String signal, Collection<Long> pids) {
		List<String> command = new ArrayList<>(List.of("kill", "-s", signal));
		pids.forEach((pid) -> command.add(Long.toString(pid)));
		return runDirectly(command, Duration.ofSeconds(10));
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
