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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Integration tests for starting and closing a {@link PostgresCluster}, including the
 * removal of leftovers of a run that did not close its cluster.
 *
 * @author Tandem contributors
 */
class PostgresClusterLifecycleIntegrationTests {

	private final Path base = Path.of("target/tandem-testkit").toAbsolutePath();

	@Test
	void closeStopsEveryServerAndDeletesTheFolder() throws Exception {
		PostgresCluster cluster = PostgresCluster.builder()
			.baseDirectory(this.base)
			.name("LifecycleClosing")
			.standbys(1)
			.database("app")
			.username("app_user")
			.password("s3cret 'quoted'")
			.start();
		Path folder = this.base.resolve("LifecycleClosing");
		assertThat(cluster.nodes()).allSatisfy((node) -> assertThat(node.dataDirectory()).startsWith(folder));
		assertThat(cluster.libpqUrl()).startsWith("postgresql://app_user:s3cret%20%27quoted%27@127.0.0.1:")
			.endsWith("/app");
		try (Connection connection = cluster.node(1).connect()) {
			assertThat(connection.getCatalog()).isEqualTo("app");
		}
		List<Long> pids = postmasterPids(cluster);
		assertThat(pids).hasSize(2).allMatch(Processes::isAlive);
		cluster.close();
		assertThat(folder).doesNotExist();
		assertThat(pids).noneMatch(Processes::isAlive);
		assertThat(cluster.nodes()).noneMatch(PostgresNode::isRunning);
		cluster.close();
	}

	@Test
	void startStopsServersLeftRunningByAnEarlierRunWithTheSameName() throws Exception {
		PostgresCluster abandoned = PostgresCluster.builder()
			.baseDirectory(this.base)
			.name("LifecycleReused")
			.standbys(1)
			.start();
		List<Long> leftovers = postmasterPids(abandoned);
		try (PostgresCluster cluster = PostgresCluster.builder()
			.baseDirectory(this.base)
			.name("LifecycleReused")
			.standbys(1)
			.start()) {
			assertThat(leftovers).noneMatch(Processes::isAlive);
			assertThat(cluster.primary().isInRecovery()).isFalse();
			assertThat(cluster.standbys()).hasSize(1);
			assertThat(postmasterPids(cluster)).doesNotContainAnyElementsOf(leftovers);
			// The abandoned cluster shares the folder: closing it must leave the new one.
			abandoned.close();
			assertThat(cluster.nodes()).allMatch(PostgresNode::isRunning);
			assertThat(cluster.directory()).isDirectory();
		}
	}

	@Test
	void startWithoutStandbysGivesALonePrimary() {
		try (PostgresCluster cluster = PostgresCluster.builder()
			.baseDirectory(this.base)
			.name("LifecycleLone")
			.standbys(0)
			.start()) {
			assertThat(cluster.nodes()).hasSize(1);
			assertThat(cluster.primary()).isSameAs(cluster.node(0));
			assertThat(cluster.standbys()).isEmpty();
			assertThat(cluster.jdbcUrl())
				.isEqualTo("jdbc:postgresql://127.0.0.1:" + cluster.node(0).port() + "/tandem");
		}
	}

	@Test
	void failedStartReportsTheServerLog() {
		assertThatIllegalStateException()
			.isThrownBy(() -> PostgresCluster.builder()
				.baseDirectory(this.base)
				.name("LifecycleBroken")
				.standbys(0)
				.setting("shared_buffers", "not a size")
				.start())
			.withMessageContaining("Could not start node0")
			.withMessageContaining("server.log")
			.withMessageContaining("shared_buffers");
		assertThat(this.base.resolve("LifecycleBroken/node0/data/postmaster.pid")).doesNotExist();
	}

	private static List<Long> postmasterPids(PostgresCluster cluster) throws IOException {
		List<Long> pids = new ArrayList<>();
		for (PostgresNode node : cluster.nodes()) {
			Path pidFile = node.dataDirectory().resolve("postmaster.pid");
			pids.add(Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).trim()));
		}
		return pids;
	}

}
