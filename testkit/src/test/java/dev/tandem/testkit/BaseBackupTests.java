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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.tandem.testkit.BaseBackup.Action;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link BaseBackup}'s choice of what to copy and for its copy of a folder that
 * changes.
 *
 * @author Tandem contributors
 */
class BaseBackupTests {

	/** Unlogged relation 16390 (it has an init fork) in database 5. */
	private static final Set<Path> EXISTING = Set.of(Path.of("base/5/16390_init"),
			Path.of("pg_tblspc/16400/PG_18_202506291/5/16401_init"));

	@ParameterizedTest(name = "{0} (folder {1}) -> {2}")
	@CsvSource(textBlock = """
			PG_VERSION,                                false, COPY
			postgresql.conf,                           false, COPY
			postgresql.auto.conf,                      false, COPY
			tandem-node.conf,                          false, COPY
			pg_hba.conf,                               false, COPY
			base,                                      true,  COPY
			base/5,                                    true,  COPY
			base/5/16384,                              false, COPY
			base/5/16384_fsm,                          false, COPY
			base/5/16384.1,                            false, COPY
			base/5/PG_VERSION,                         false, COPY
			global/1262,                               false, COPY
			pg_xact/0000,                              false, COPY
			pg_multixact/offsets/0000,                 false, COPY
			pg_logical/replorigin_checkpoint,          false, COPY
			pg_stat/pgstat.stat,                       false, COPY
			global/pg_control,                         false, LAST
			postmaster.pid,                            false, SKIP
			postmaster.opts,                           false, SKIP
			backup_label,                              false, SKIP
			tablespace_map,                            false, SKIP
			backup_manifest,                           false, SKIP
			standby.signal,                            false, SKIP
			recovery.signal,                           false, SKIP
			postgresql.auto.conf.tmp,                  false, SKIP
			current_logfiles.tmp,                      false, SKIP
			global/pg_internal.init,                   false, SKIP
			base/5/pg_internal.init,                   false, SKIP
			base/5/pg_internal.init.4711,              false, SKIP
			base/pgsql_tmp,                            true,  SKIP
			base/pgsql_tmp/pgsql_tmp4711.0,            false, SKIP
			base/5/t3_16500,                           false, SKIP
			base/5/t3_16500_fsm,                       false, SKIP
			base/5/16390,                              false, SKIP
			base/5/16390.2,                            false, SKIP
			base/5/16390_vm,                           false, SKIP
			base/5/16390_init,                         false, COPY
			pg_tblspc/16400,                           true,  COPY
			pg_tblspc/16400/PG_18_202506291/5/16401,   false, SKIP
			pg_tblspc/16400/PG_18_202506291/5/16402,   false, COPY
			pg_wal,                                    true,  EMPTY_FOLDER
			pg_wal,                                    false, EMPTY_FOLDER
			pg_replslot,                               true,  EMPTY_FOLDER
			pg_dynshmem,                               true,  EMPTY_FOLDER
			pg_notify,                                 true,  EMPTY_FOLDER
			pg_serial,                                 true,  EMPTY_FOLDER
			pg_snapshots,                              true,  EMPTY_FOLDER
			pg_stat_tmp,                               true,  EMPTY_FOLDER
			pg_subtrans,                               true,  EMPTY_FOLDER
			base/5/pg_wal,                             true,  COPY
			base/5/standby.signal,                     false, COPY
			""")
	void actionFollowsWhatPostgresqlLeavesOutOfABaseBackup(String path, boolean folder, Action expected) {
		assertThat(BaseBackup.action(Path.of(path), folder, EXISTING::contains)).isEqualTo(expected);
	}

	@Test
	void copyLeavesOutRuntimeStateAndKeepsEmptiedFoldersAndPermissions(@TempDir Path temporary) throws IOException {
		Path source = temporary.resolve("source");
		for (String file : List.of("PG_VERSION", "postmaster.pid", "standby.signal", "global/pg_control", "global/1262",
				"base/5/16384", "base/5/16390", "base/5/16390_init", "pg_wal/000000010000000000000001",
				"pg_wal/archive_status/000000010000000000000001.done", "pg_replslot/slot/state", "pg_subtrans/0000",
				"pg_stat/pgstat.stat")) {
			Path path = source.resolve(file);
			Files.createDirectories(path.getParent());
			Files.writeString(path, file);
		}
		Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rwx------"));
		Path target = temporary.resolve("node/data");

		BaseBackup.copy(source, target);

		assertThat(paths(target)).containsExactlyInAnyOrder("PG_VERSION", "global", "global/pg_control", "global/1262",
				"base", "base/5", "base/5/16384", "base/5/16390_init", "pg_wal", "pg_wal/archive_status",
				"pg_wal/summaries", "pg_replslot", "pg_subtrans", "pg_stat", "pg_stat/pgstat.stat");
		assertThat(target.resolve("global/pg_control")).hasContent("global/pg_control");
		assertThat(Files.getPosixFilePermissions(target)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
	}

	@Test
	void aFileThatVanishedIsSkipped(@TempDir Path temporary) throws IOException {
		assertThat(BaseBackup.copyIfPresent(temporary.resolve("vanished"), temporary.resolve("copy"))).isFalse();
		assertThat(temporary.resolve("copy")).doesNotExist();
	}

	private static Set<String> paths(Path root) throws IOException {
		try (Stream<Path> paths = Files.walk(root)) {
			return paths.filter((path) -> !path.equals(root))
				.map((path) -> root.relativize(path).toString())
				.collect(Collectors.toSet());
		}
	}

}
