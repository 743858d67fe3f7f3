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
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive copy and delete of folders.
 *
 * @author Tandem contributors
 */
final class FileTree {

	private FileTree() {
	}

	/**
	 * Copy {@code source} to the not yet existing {@code target}, keeping permissions and
	 * symbolic links.
	 * @param source the folder to copy
	 * @param target the new folder
	 */
	static void copy(Path source, Path target) {
		// cp is several times faster than a cold JVM on a thousand small files.
		try {
			Files.createDirectories(target.getParent());
			if (Processes.runDirectly(List.of("cp", "-a", source.toString(), target.toString()), Duration.ofSeconds(60))
				.succeeded()) {
				return;
			}
			delete(target);
		}
		catch (IOException | UncheckedIOException ex) {
			delete(target);
		}
		try {
			Files.createDirectories(target.getParent());
			Files.walkFileTree(source, new SimpleFileVisitor<>() {

				@Override
				public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
					Files.copy(dir, target.resolve(source.relativize(dir).toString()),
							StandardCopyOption.COPY_ATTRIBUTES);
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
					Files.copy(file, target.resolve(source.relativize(file).toString()),
							StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
					return FileVisitResult.CONTINUE;
				}

			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not copy " + source + " to " + target, ex);
		}
	}

	/**
	 * Delete {@code path} and everything below it; a missing path is fine.
	 * @param path the file or folder to delete
	 */
	static void delete(Path path) {
		if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
			return;
		}
		try {
			List<Path> paths = new ArrayList<>();
			Files.walkFileTree(path, new SimpleFileVisitor<>() {

				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
					paths.add(file);
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFileFailed(Path file, IOException ex) throws IOException {
					if (ex instanceof NoSuchFileException) {
						return FileVisitResult.CONTINUE;
					}
					throw ex;
				}

				@Override
				public FileVisitResult postVisitDirectory(Path dir, IOException ex) {
					paths.add(dir);
					return FileVisitResult.CONTINUE;
				}

			});
			for (Path each : paths) {
				Files.deleteIfExists(each);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not delete " + path, ex);
		}
	}

	/**
	 * Return the last {@code count} lines of a text file, or a note when it cannot be
	 * read.
	 * @param file the file
	 * @param count how many lines
	 * @return the lines, joined with new lines
	 */
	static String tail(Path file, int count) {
		try {
			List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
			return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - count), lines.size()));
		}
		catch (IOException | UncheckedIOException ex) {
			return "(" + file + " could not be read: " + ex + ")";
		}
	}

}
