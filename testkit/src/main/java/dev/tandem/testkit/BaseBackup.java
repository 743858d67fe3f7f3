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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Copies the data folder of a running server with PostgreSQL's low-level, non-exclusive
 * base backup API ({@code pg_backup_start} and {@code pg_backup_stop} on one connection),
 * because the binaries have no {@code pg_basebackup}.
 * <p>
 * What the copy leaves out follows the manual's "Backing Up the Data Directory" and what
 * {@code pg_basebackup} leaves out ({@code basebackup.c}); see {@link #action}.
 *
 * @author Tandem contributors
 */
final class BaseBackup {

	/**
	 * Top-level folders copied empty: the server fills them at start
	 * ({@code pg_dynshmem}, {@code pg_notify}, {@code pg_serial}, {@code pg_snapshots},
	 * {@code pg_stat_tmp}, {@code pg_subtrans}), the source's replication slots would
	 * hold WAL for clients of the source ({@code pg_replslot}), and WAL comes by
	 * streaming ({@code pg_wal}).
	 */
	private static final Set<String> EMPTIED_FOLDERS = Set.of("pg_dynshmem", "pg_notify", "pg_replslot", "pg_serial",
			"pg_snapshots", "pg_stat_tmp", "pg_subtrans", "pg_wal");

	/**
	 * Top-level files that describe the running source, not the copy: its postmaster, an
	 * unfinished {@code ALTER SYSTEM} or log rotation, a backup it was made from, and its
	 * own recovery mode (the caller writes the copy's).
	 */
	private static final Set<String> EXCLUDED_FILES = Set.of("postmaster.pid", "postmaster.opts", "backup_label",
			"tablespace_map", "backup_manifest", "postgresql.auto.conf.tmp", "current_logfiles.tmp", "standby.signal",
			"recovery.signal");

	private static final Path CONTROL_FILE = Path.of("global", "pg_control");

	private static final Path WAL = Path.of("pg_wal");

	private static final Pattern DIGITS = Pattern.compile("\\d+");

	/** Main, free space map, visibility map or init fork, any segment. */
	private static final Pattern RELATION_FILE = Pattern.compile("(\\d+)(_fsm|_vm|_init)?(\\.\\d+)?");

	/** Relation of a temporary table: {@code t<proc>_<relfilenode>}, any fork. */
	private static final Pattern TEMPORARY_RELATION_FILE = Pattern.compile("t\\d+_\\d+(_fsm|_vm|_init)?(\\.\\d+)?");

	private BaseBackup() {
	}

	/**
	 * What to do with one entry of the source's data folder.
	 */
	enum Action {

		/** Copy it (a folder: create it and walk into it). */
		COPY,

		/** Leave it out. */
		SKIP,

		/** Create it as an empty folder, even if it is a link to one. */
		EMPTY_FOLDER,

		/** Copy it after everything else. */
		LAST

	}

	/**
	 * Replace {@code target} with a copy of the data folder of the running
	 * {@code source}: delete {@code target}, {@code pg_backup_start(label, true)}, copy,
	 * {@code pg_backup_stop(false)}, and write its {@code backup_label} (and
	 * {@code tablespace_map} if not empty) into the copy. The copy holds no WAL: a server
	 * started on it needs the WAL since the backup started, from streaming.
	 * @param source the running node to copy
	 * @param target the data folder to replace
	 * @param label the backup label
	 * @throws IllegalStateException if the source has tablespaces outside its data folder
	 * or the backup fails; the backup is then aborted and {@code target} may be partial
	 */
	static void take(PostgresNode source, Path target, String label) {
		Path dataDirectory = source.dataDirectory();
		refuseExternalTablespaces(source);
		// The backup belongs to this session: closing it, also on failure, aborts the
		// backup on the server.
		try (Connection connection = source.connectToMaintenanceDatabase();
				Statement statement = connection.createStatement()) {
			FileTree.delete(target);
			statement.execute("SELECT pg_backup_start(" + PostgresCluster.literal(label) + ", true)");
			copy(dataDirectory, target);
			try (ResultSet result = statement.executeQuery("SELECT labelfile, spcmapfile FROM pg_backup_stop(false)")) {
				result.next();
				write(target.resolve("backup_label"), result.getString(1));
				String tablespaceMap = result.getString(2);
				if (tablespaceMap != null && !tablespaceMap.isEmpty()) {
					write(target.resolve("tablespace_map"), tablespaceMap);
				}
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not take a base backup of " + source + " into " + target + ": "
					+ ex.getMessage() + source.logHint(), ex);
		}
	}

	/**
	 * A tablespace outside the data folder is a link to an absolute path that the copy
	 * would share with the source. In-place tablespaces (folders in {@code pg_tblspc})
	 * are copied like the rest.
	 */
	private static void refuseExternalTablespaces(PostgresNode source) {
		Path tablespaces = source.dataDirectory().resolve("pg_tblspc");
		List<String> links;
		try (Stream<Path> entries = Files.list(tablespaces)) {
			links = entries.filter(Files::isSymbolicLink)
				.map((entry) -> entry.getFileName().toString())
				.sorted()
				.collect(Collectors.toList());
		}
		catch (NoSuchFileException ex) {
			return;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not list " + tablespaces, ex);
		}
		if (!links.isEmpty()) {
			throw new IllegalStateException(source + " has tablespaces outside its data folder (pg_tblspc/" + links
					+ "), which a copy on the same machine would share; use in-place tablespaces "
					+ "(allow_in_place_tablespaces = on, LOCATION '') in tests");
		}
	}

	/**
	 * Copy the data folder {@code source} of a running server to the not yet existing
	 * {@code target}, leaving out what {@link #action} says and copying
	 * {@code global/pg_control} last. Files and folders that vanish while the walk runs
	 * are skipped: on a live server that is normal, and WAL replay restores them.
	 * @param source the data folder
	 * @param target the new folder
	 */
	static void copy(Path source, Path target) {
		Predicate<Path> exists = (relative) -> Files.exists(source.resolve(relative), LinkOption.NOFOLLOW_LINKS);
		try {
			Files.createDirectories(target.getParent());
			Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
			Files.walkFileTree(source, new SimpleFileVisitor<>() {

				@Override
				public FileVisitResult preVisitDirectory(Path folder, BasicFileAttributes attributes)
						throws IOException {
					if (folder.equals(source)) {
						return FileVisitResult.CONTINUE;
					}
					Path relative = source.relativize(folder);
					Action action = action(relative, true, exists);
					if (action == Action.COPY) {
						return copyIfPresent(folder, target.resolve(relative)) ? FileVisitResult.CONTINUE
								: FileVisitResult.SKIP_SUBTREE;
					}
					if (action == Action.EMPTY_FOLDER) {
						createEmptyFolder(folder, relative, target);
					}
					return FileVisitResult.SKIP_SUBTREE;
				}

				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
					Path relative = source.relativize(file);
					Action action = action(relative, attributes.isDirectory(), exists);
					if (action == Action.EMPTY_FOLDER) {
						createEmptyFolder(file, relative, target);
					}
					else if (action == Action.COPY && !attributes.isOther()) {
						copyIfPresent(file, target.resolve(relative));
					}
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
				public FileVisitResult postVisitDirectory(Path folder, IOException ex) throws IOException {
					if (ex == null || ex instanceof NoSuchFileException) {
						return FileVisitResult.CONTINUE;
					}
					throw ex;
				}

			});
			// pg_basebackup sends it last too: from a standby, its minimum recovery point
			// must cover every change in the files copied before it.
			Files.copy(source.resolve(CONTROL_FILE), target.resolve(CONTROL_FILE), StandardCopyOption.COPY_ATTRIBUTES);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not copy " + source + " to " + target, ex);
		}
	}

	/**
	 * Decide what happens to one entry of a data folder.
	 * @param relative the entry's path relative to the data folder
	 * @param folder whether the entry is a folder (not a link to one)
	 * @param exists whether a path relative to the data folder exists, to recognise
	 * unlogged relations by their init fork
	 * @return the action
	 */
	static Action action(Path relative, boolean folder, Predicate<Path> exists) {
		String name = relative.getFileName().toString();
		boolean topLevel = relative.getNameCount() == 1;
		if (name.startsWith("pgsql_tmp")) {
			return Action.SKIP;
		}
		if (topLevel && EMPTIED_FOLDERS.contains(name)) {
			return Action.EMPTY_FOLDER;
		}
		if (folder) {
			return Action.COPY;
		}
		if ((topLevel && EXCLUDED_FILES.contains(name)) || name.startsWith("pg_internal.init")) {
			return Action.SKIP;
		}
		if (relative.equals(CONTROL_FILE)) {
			return Action.LAST;
		}
		Path parent = relative.getParent();
		if (parent != null && isDatabaseFolder(parent)) {
			if (TEMPORARY_RELATION_FILE.matcher(name).matches()) {
				return Action.SKIP;
			}
			// Only the init fork of an unlogged relation survives recovery; the server
			// recreates the other forks from it.
			Matcher relation = RELATION_FILE.matcher(name);
			if (relation.matches() && !"_init".equals(relation.group(2))
					&& exists.test(parent.resolve(relation.group(1) + "_init"))) {
				return Action.SKIP;
			}
		}
		return Action.COPY;
	}

	/**
	 * Whether a folder holds a database's relations: {@code base/<oid>}, or
	 * {@code pg_tblspc/<oid>/<version>/<oid>} of an in-place tablespace.
	 */
	private static boolean isDatabaseFolder(Path relative) {
		int count = relative.getNameCount();
		String last = relative.getFileName().toString();
		if (!DIGITS.matcher(last).matches()) {
			return false;
		}
		return (count == 2 && "base".equals(relative.getName(0).toString()))
				|| (count == 4 && "pg_tblspc".equals(relative.getName(0).toString()));
	}

	private static void createEmptyFolder(Path source, Path relative, Path target) throws IOException {
		// Follows a link, as pg_basebackup does for a linked pg_wal.
		Files.copy(source, target.resolve(relative), StandardCopyOption.COPY_ATTRIBUTES);
		if (relative.equals(WAL)) {
			Files.copy(source, target.resolve(relative).resolve("archive_status"), StandardCopyOption.COPY_ATTRIBUTES);
			Files.copy(source, target.resolve(relative).resolve("summaries"), StandardCopyOption.COPY_ATTRIBUTES);
		}
	}

	/**
	 * Copy a file, a link or (without its entries) a folder, keeping its attributes.
	 * @param source what to copy
	 * @param target where to put it
	 * @return whether it was copied; {@code false} if the source had vanished
	 * @throws IOException if the copy fails for another reason
	 */
	static boolean copyIfPresent(Path source, Path target) throws IOException {
		try {
			Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
			return true;
		}
		catch (NoSuchFileException ex) {
			if (!source.toString().equals(ex.getFile())) {
				throw ex;
			}
			return false;
		}
	}

	private static void write(Path file, String content) {
		try {
			Files.writeString(file, content, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
