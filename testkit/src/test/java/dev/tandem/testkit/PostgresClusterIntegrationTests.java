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

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for {@link PostgresCluster} and {@link PostgresClusterExtension}
 * against one shared three-node cluster. Tests that change the topology live in
 * {@link PostgresClusterFailoverIntegrationTests}.
 *
 * @author Tandem contributors
 */
class PostgresClusterIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	@BeforeAll
	static void createTable(PostgresCluster cluster) throws SQLException {
		try (Connection connection = cluster.primary().connect(); Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE items (id bigserial PRIMARY KEY, label text NOT NULL)");
		}
		cluster.awaitReplication(Duration.ofSeconds(10));
	}

	@Test
	void nodesHaveNamesAndLoopbackPorts(PostgresCluster cluster) {
		assertThat(cluster.nodes()).extracting(PostgresNode::name).containsExactly("node0", "node1", "node2");
		assertThat(cluster.nodes()).extracting(PostgresNode::host).containsOnly("127.0.0.1");
		assertThat(cluster.nodes()).extracting(PostgresNode::port).doesNotHaveDuplicates();
		assertThat(cluster.nodes()).allMatch(PostgresNode::isRunning);
		assertThat(cluster.node(1).dataDirectory()).isDirectory().endsWith(java.nio.file.Path.of("node1", "data"));
	}

	@Test
	void urlsNameEveryNode() {
		PostgresCluster running = cluster.cluster();
		String hosts = "127.0.0.1:" + running.node(0).port() + ",127.0.0.1:" + running.node(1).port() + ",127.0.0.1:"
				+ running.node(2).port();
		assertThat(cluster.jdbcUrl()).isEqualTo("jdbc:postgresql://" + hosts + "/tandem");
		assertThat(cluster.libpqUrl()).isEqualTo("postgresql://tandem:tandem@" + hosts + "/tandem");
		assertThat(running.node(1).jdbcUrl())
			.isEqualTo("jdbc:postgresql://127.0.0.1:" + running.node(1).port() + "/tandem");
		assertThat(running.node(1).libpqUrl())
			.isEqualTo("postgresql://tandem:tandem@127.0.0.1:" + running.node(1).port() + "/tandem");
		assertThat(running.username()).isEqualTo("tandem");
		assertThat(running.password()).isEqualTo("tandem");
		assertThat(running.database()).isEqualTo("tandem");
	}

	@Test
	void primaryIsOutOfRecoveryAndStandbysAreIn(PostgresCluster cluster) {
		assertThat(cluster.primary()).isSameAs(cluster.node(0));
		assertThat(cluster.node(0).isInRecovery()).isFalse();
		assertThat(cluster.standbys()).containsExactly(cluster.node(1), cluster.node(2));
		assertThat(cluster.node(1).isInRecovery()).isTrue();
		assertThat(cluster.node(2).isInRecovery()).isTrue();
	}

	@Test
	void rowWrittenOnPrimaryBecomesVisibleOnEveryStandby(PostgresCluster cluster) throws SQLException {
		long id = insert(cluster.primary(), "replicated");
		for (PostgresNode standby : cluster.standbys()) {
			await().atMost(Duration.ofSeconds(10)).until(() -> exists(standby, id));
		}
	}

	@Test
	void awaitReplicationReturnsOnceStandbysHaveReplayed(PostgresCluster cluster) throws SQLException {
		long id = insert(cluster.primary(), "awaited");
		cluster.awaitReplication(Duration.ofSeconds(10));
		for (PostgresNode standby : cluster.standbys()) {
			assertThat(exists(standby, id)).isTrue();
		}
	}

	@Test
	void applicationRoleIsOrdinaryAndOwnsTheDatabase(PostgresCluster cluster) throws SQLException {
		try (Connection connection = cluster.primary().connect(); Statement statement = connection.createStatement()) {
			ResultSet role = statement.executeQuery(
					"SELECT rolsuper, pg_has_role(current_user, 'pg_monitor', 'MEMBER') FROM pg_roles WHERE rolname = current_user");
			assertThat(role.next()).isTrue();
			assertThat(role.getBoolean(1)).isFalse();
			assertThat(role.getBoolean(2)).isFalse();
			ResultSet owner = statement
				.executeQuery("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()");
			assertThat(owner.next()).isTrue();
			assertThat(owner.getString(1)).isEqualTo("tandem");
		}
		try (Connection connection = cluster.node(1).connect()) {
			assertThat(connection.isValid(5)).isTrue();
		}
	}

	@Test
	void wrongPasswordIsRejected(PostgresCluster cluster) {
		for (PostgresNode node : cluster.nodes()) {
			assertThatExceptionOfType(SQLException.class)
				.isThrownBy(() -> DriverManager.getConnection(node.jdbcUrl(), cluster.username(), "wrong").close())
				.withMessageContaining("password authentication failed");
		}
	}

	@Test
	void serversListenOnLoopbackOnly(PostgresCluster cluster) throws SQLException {
		try (Connection connection = cluster.primary().connectAsSuperuser();
				Statement statement = connection.createStatement();
				ResultSet resultSet = statement.executeQuery("SHOW listen_addresses")) {
			assertThat(resultSet.next()).isTrue();
			assertThat(resultSet.getString(1)).isEqualTo("127.0.0.1");
		}
	}

	@Test
	void pausedStandbyFallsBehindUntilResumed(PostgresCluster cluster) throws SQLException {
		PostgresNode paused = cluster.node(1);
		PostgresNode other = cluster.node(2);
		paused.pauseReplay();
		try {
			long id = insert(cluster.primary(), "lagging");
			await().atMost(Duration.ofSeconds(10)).until(() -> exists(other, id));
			assertThat(exists(paused, id)).isFalse();
			assertThatExceptionOfType(IllegalStateException.class)
				.isThrownBy(() -> cluster.awaitReplication(Duration.ofMillis(300)))
				.withMessageContaining("node1")
				.withMessageContaining("paused");
			paused.resumeReplay();
			await().atMost(Duration.ofSeconds(10)).until(() -> exists(paused, id));
		}
		finally {
			paused.resumeReplay();
		}
	}

	@Test
	void standbyStopsAndStartsAgainAsStandby(PostgresCluster cluster) throws SQLException {
		PostgresNode standby = cluster.node(2);
		standby.stop();
		assertThat(standby.isRunning()).isFalse();
		assertThat(cluster.standbys()).containsExactly(cluster.node(1));
		long id = insert(cluster.primary(), "while stopped");
		standby.start();
		assertThat(standby.isRunning()).isTrue();
		assertThat(standby.isInRecovery()).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> exists(standby, id));
	}

	@Test
	void serverLogIsWrittenInTheNodeFolder(PostgresCluster cluster) {
		assertThat(cluster.node(0).logFile()).isRegularFile().content().isNotEmpty();
		assertThat(cluster.node(0).logFile().getParent()).isEqualTo(cluster.node(0).dataDirectory().getParent());
	}

	static long insert(PostgresNode node, String label) throws SQLException {
		try (Connection connection = node.connect();
				Statement statement = connection.createStatement();
				ResultSet resultSet = statement.executeQuery(
						"INSERT INTO items (label) VALUES ('" + label.replace("'", "''") + "') RETURNING id")) {
			resultSet.next();
			return resultSet.getLong(1);
		}
	}

	static boolean exists(PostgresNode node, long id) throws SQLException {
		try (Connection connection = node.connect();
				Statement statement = connection.createStatement();
				ResultSet resultSet = statement.executeQuery("SELECT count(*) FROM items WHERE id = " + id)) {
			resultSet.next();
			return resultSet.getLong(1) == 1;
		}
	}

}
