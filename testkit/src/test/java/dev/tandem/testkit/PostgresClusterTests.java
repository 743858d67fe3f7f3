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

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link PostgresCluster} that need no server.
 *
 * @author Tandem contributors
 */
class PostgresClusterTests {

	@Test
	void socketDirectoryIsInsideTheClusterFolderWhenShort() {
		Path directory = Path.of("/work/project/target/tandem-testkit/SomeTests");
		assertThat(PostgresCluster.socketDirectory(directory, Path.of("/tmp"))).isEqualTo(directory.resolve("run"));
	}

	@Test
	void socketDirectoryMovesToTheTemporaryDirectoryWhenTheSocketPathWouldBeTooLong() {
		Path directory = Path.of("/work/" + "a-rather-long-folder-name/".repeat(4) + "target/tandem-testkit/SomeTests");
		Path socketDirectory = PostgresCluster.socketDirectory(directory, Path.of("/var/tmp"));
		assertThat(socketDirectory.getParent()).isEqualTo(Path.of("/var/tmp"));
		assertThat(socketDirectory.getFileName().toString()).matches("tandem-[0-9a-f]{12}");
		assertThat(PostgresCluster.socketDirectory(directory, Path.of("/var/tmp"))).isEqualTo(socketDirectory);
		assertThat(PostgresCluster.socketDirectory(directory.resolveSibling("OtherTests"), Path.of("/var/tmp")))
			.isNotEqualTo(socketDirectory);
		assertThat((socketDirectory + "/.s.PGSQL.65535.lock").length()).isLessThanOrEqualTo(107);
	}

	@Test
	void socketDirectoryFallsBackToTmpWhenTheTemporaryDirectoryIsLongToo() {
		Path directory = Path.of("/" + "x".repeat(120));
		assertThat(PostgresCluster.socketDirectory(directory, Path.of("/" + "y".repeat(120))).getParent())
			.isEqualTo(Path.of("/tmp"));
	}

	@Test
	void nameMustBeAPlainFolderName() {
		assertThatIllegalArgumentException().isThrownBy(() -> PostgresCluster.builder().name("../escape"))
			.withMessageContaining("../escape");
		assertThatIllegalArgumentException().isThrownBy(() -> PostgresCluster.builder().name("pg-18.6.0"))
			.withMessageContaining("binaries");
		PostgresCluster.builder().name("Some_Tests-2.x");
	}

	@Test
	void usernameMustNotBeTheInternalSuperuser() {
		assertThatIllegalArgumentException().isThrownBy(() -> PostgresCluster.builder().username("postgres"))
			.withMessageContaining("superuser");
	}

	@Test
	void settingsOwnedByTheTestkitAreRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> PostgresCluster.builder().setting("port", "5432"))
			.withMessageContaining("port");
		assertThatIllegalArgumentException().isThrownBy(() -> PostgresCluster.builder().setting("a b", "1"))
			.withMessageContaining("a b");
		PostgresCluster.builder().setting("log_min_duration_statement", "0");
	}

	@Test
	void standbysMustNotBeNegative() {
		assertThatIllegalArgumentException().isThrownBy(() -> PostgresCluster.builder().standbys(-1));
		assertThatIllegalArgumentException().isThrownBy(() -> PostgresClusterExtension.withStandbys(-1));
	}

	@Test
	void literalsAndIdentifiersAreQuoted() {
		assertThat(PostgresCluster.literal("it's")).isEqualTo("'it''s'");
		assertThat(PostgresCluster.identifier("a\"b")).isEqualTo("\"a\"\"b\"");
		assertThat(PostgresCluster.encode("a b:c@d")).isEqualTo("a%20b%3Ac%40d");
	}

}
