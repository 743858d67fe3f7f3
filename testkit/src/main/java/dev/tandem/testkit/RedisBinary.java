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

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis-server} executable: the Linux x86-64 binary that the
 * {@code com.github.codemonstur:embedded-redis} jar ships as a resource, copied once per
 * base directory, or else a {@code redis-server} found on the {@code PATH}.
 *
 * @author Tandem contributors
 */
final class RedisBinary {

	private static final Logger logger = LoggerFactory.getLogger(RedisBinary.class);

	/** The Linux x86-64 binary of embedded-redis 1.4.4 (it reports 6.2.11). */
	static final String RESOURCE = "redis-server-6.2.6-v5-linux-amd64";

	static final String EXECUTABLE = "redis-server";

	private static final Pattern VERSION = Pattern.compile("\\bv=(\\S+)");

	private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(10);

	/** Guards the file lock: a JVM may not take the same lock twice. */
	private static final Object monitor = new Object();

	private static final Map<Path, RedisBinary> resolved = new ConcurrentHashMap<>();

	private final Path executable;

	private final String version;

	private final String source;

	private RedisBinary(Path executable, String version, String source) {
		this.executable = executable;
		this.version = version;
		this.source = source;
	}

	/**
	 * Return the executable for servers under {@code baseDirectory}: on Linux x86-64 the
	 * embedded-redis binary, copied into {@code <baseDirectory>/redis-server-…/} if not
	 * there yet; elsewhere, or when that jar is not on the classpath or its binary does
	 * not run here, a {@code redis-server} on the {@code PATH}. The choice is logged once
	 * per base directory.
	 * @param baseDirectory the base directory of the testkit
	 * @return the executable
	 * @throws IllegalStateException if there is no usable {@code redis-server}
	 */
	static RedisBinary in(Path baseDirectory) {
		return resolved.computeIfAbsent(baseDirectory, (base) -> {
			RedisBinary binary = resolve(base, System.getProperty("os.name"), System.getProperty("os.arch"),
					System.getenv("PATH"));
			logger.info("Using redis-server {} {} ({})", binary.version, binary.source, binary.executable);
			return binary;
		});
	}

	static RedisBinary resolve(Path baseDirectory, String osName, String osArch, String path) {
		Optional<Path> onPath = findOnPath(path);
		if (!isLinuxX8664(osName, osArch)) {
			return onPath.map((executable) -> fromPath(executable, null))
				.orElseThrow(() -> new IllegalStateException("The redis-server binary of embedded-redis is for Linux "
						+ "x86-64, but this JVM runs on " + osName + " " + osArch
						+ ", and no redis-server is on the PATH. Install Redis so that redis-server is on the PATH."));
		}
		URL resource = RedisBinary.class.getClassLoader().getResource(RESOURCE);
		if (resource == null) {
			return onPath.map((executable) -> fromPath(executable, null))
				.orElseThrow(() -> new IllegalStateException("No redis-server binary on the classpath (looked for "
						+ RESOURCE + ") and none on the PATH. Add com.github.codemonstur:embedded-redis to the test "
						+ "classpath (excluding its redis.clients:jedis), or put redis-server on the PATH."));
		}
		Path executable = copy(resource, baseDirectory.resolve(RESOURCE));
		Processes.Result result = Processes.runDirectly(List.of(executable.toString(), "--version"), VERSION_TIMEOUT);
		if (result.succeeded()) {
			return new RedisBinary(executable, version(result.output()), "from the embedded-redis jar");
		}
		String failure = executable + " --version exited with " + result.exitCode() + ": " + result.output();
		if (onPath.isPresent()) {
			logger.warn("The embedded-redis binary does not run here, falling back to the PATH: {}", failure);
			return fromPath(onPath.get(), failure);
		}
		throw new IllegalStateException("The redis-server binary of embedded-redis does not run here (it needs "
				+ "glibc and OpenSSL 3, libssl.so.3), and no redis-server is on the PATH: " + failure);
	}

	Path executable() {
		return this.executable;
	}

	String version() {
		return this.version;
	}

	static boolean isLinuxX8664(String osName, String osArch) {
		String os = (osName != null) ? osName.toLowerCase(Locale.ROOT) : "";
		return os.startsWith("linux") && ("amd64".equals(osArch) || "x86_64".equals(osArch));
	}

	static Optional<Path> findOnPath(String path) {
		if (path == null || path.isEmpty()) {
			return Optional.empty();
		}
		for (String folder : path.split(File.pathSeparator)) {
			if (!folder.isEmpty()) {
				Path candidate = Path.of(folder, EXECUTABLE);
				if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
					return Optional.of(candidate.toAbsolutePath());
				}
			}
		}
		return Optional.empty();
	}

	static String version(String versionOutput) {
		Matcher matcher = VERSION.matcher(versionOutput);
		return matcher.find() ? matcher.group(1) : "(unknown version)";
	}

	private static RedisBinary fromPath(Path executable, String embeddedFailure) {
		Processes.Result result = Processes.runDirectly(List.of(executable.toString(), "--version"), VERSION_TIMEOUT);
		if (!result.succeeded()) {
			throw new IllegalStateException(executable + " --version exited with " + result.exitCode() + ": "
					+ result.output()
					+ ((embeddedFailure != null) ? "; the embedded-redis binary failed too: " + embeddedFailure : ""));
		}
		return new RedisBinary(executable, version(result.output()), "found on the PATH");
	}

	/**
	 * Copy the binary out of the jar into {@code folder}, once: into a temporary file
	 * that is made executable and then renamed, under a file lock, so parallel JVMs and a
	 * crash mid-copy are safe.
	 */
	private static Path copy(URL resource, Path folder) {
		Path executable = folder.resolve(EXECUTABLE);
		if (Files.isExecutable(executable)) {
			return executable;
		}
		try {
			Files.createDirectories(folder);
			synchronized (monitor) {
				try (FileChannel channel = FileChannel.open(folder.resolve(EXECUTABLE + ".lock"),
						StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
					if (!Files.isExecutable(executable)) {
						long started = System.nanoTime();
						// Only lock holders create these, so any found now are crash
						// leftovers.
						try (DirectoryStream<Path> stale = Files.newDirectoryStream(folder,
								EXECUTABLE + ".copying-*")) {
							for (Path path : stale) {
								Files.deleteIfExists(path);
							}
						}
						Path temporary = Files.createTempFile(folder, EXECUTABLE + ".copying-", "");
						try {
							try (InputStream in = resource.openStream()) {
								Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
							}
							Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwxr-xr-x"));
							Files.move(temporary, executable, StandardCopyOption.ATOMIC_MOVE,
									StandardCopyOption.REPLACE_EXISTING);
						}
						finally {
							Files.deleteIfExists(temporary);
						}
						logger.info("Copied {} out of the embedded-redis jar into {} in {} ms", RESOURCE, folder,
								(System.nanoTime() - started) / 1_000_000);
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not copy " + resource + " into " + folder, ex);
		}
		return executable;
	}

}
