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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import static dev.tandem.testkit.PostgresClusterIntegrationTests.insert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Integration tests for
 * {@link PostgresCluster#rejoinAsStandby(PostgresNode, PostgresNode)}. Each test starts
 * its own cluster, as rejoining rewrites the topology.
 *
 * @author Tandem contributors
 */
class PostgresClusterRejoinIntegrationTests {

	private static final Path BASE = Path.of("target/tandem-testkit").toAbsolutePath();

	private static final Duration REPLICATION_TIMEOUT = Duration.ofSeconds(20);

	@Test
	void killedPrimaryRejoinsAsStandbyOfThePromotedNodeWithEveryRow() throws Exception {
		try (PostgresCluster cluster = PostgresCluster.builder().baseDirectory(BASE).name("RejoinFailover").start()) {
			PostgresNode oldPrimary = cluster.node(0);
			PostgresNode newPrimary = cluster.node(1);
			PostgresNode follower = cluster.node(2);
			execute(oldPrimary, "CREATE TABLE items (id bigserial PRIMARY KEY, label text NOT NULL)",
					"INSERT INTO items (label) SELECT 'before failover ' || i FROM generate_series(1, 1000) i");
			cluster.awaitReplication(REPLICATION_TIMEOUT);

			oldPrimary.kill();
			cluster.promote(newPrimary);
			cluster.repointStandbys(newPrimary);
			execute(newPrimary,
					"INSERT INTO items (label) SELECT 'after failover ' || i FROM generate_series(1, 500) i");

			// Rows keep arriving while the data folder is copied: the copy is of a live
			// server.
			long writtenDuringRejoin = writeWhile(newPrimary, () -> cluster.rejoinAsStandby(oldPrimary, newPrimary));
			insert(newPrimary, "after rejoin");

			assertThat(oldPrimary.isRunning()).isTrue();
			assertThat(oldPrimary.isInRecovery()).isTrue();
			assertThat(cluster.primary()).isSameAs(newPrimary);
			assertThat(cluster.standbys()).containsExactly(oldPrimary, follower);
			cluster.awaitReplication(REPLICATION_TIMEOUT);
			assertThat(streamingTo(newPrimary)).isEqualTo("node0,node2");
			assertThat(writtenDuringRejoin).isPositive();
			assertThat(count(oldPrimary)).isEqualTo(1000 + 500 + writtenDuringRejoin + 1).isEqualTo(count(newPrimary));
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> insert(oldPrimary, "on a standby"))
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("25006"));
		}
	}

	@Test
	void stoppedStandbyRejoinsAsACascadingStandbyOfAnotherStandby() throws Exception {
		try (PostgresCluster cluster = PostgresCluster.builder()
			.baseDirectory(BASE)
			.name("RejoinCascading")
			.setting("max_connections", "120")
			.start()) {
			PostgresNode primary = cluster.node(0);
			PostgresNode upstream = cluster.node(1);
			PostgresNode rejoined = cluster.node(2);
			rejoined.kill();
			execute(primary, "CREATE TABLE items (id bigserial PRIMARY KEY, label text NOT NULL)",
					"INSERT INTO items (label) SELECT 'while stopped ' || i FROM generate_series(1, 200) i");
			cluster.awaitReplication(REPLICATION_TIMEOUT);

			cluster.rejoinAsStandby(rejoined, upstream);
			insert(primary, "after rejoin");

			assertThat(cluster.standbys()).containsExactly(upstream, rejoined);
			cluster.awaitReplication(REPLICATION_TIMEOUT);
			assertThat(streamingTo(primary)).isEqualTo("node1");
			assertThat(streamingTo(upstream)).isEqualTo("node2");
			assertThat(count(rejoined)).isEqualTo(201);
			assertThat(rejoined.querySingle("SHOW max_connections")).isEqualTo("120");
			assertThat(rejoined.querySingle("SHOW port")).isEqualTo(Integer.toString(rejoined.port()));
		}
	}

	@Test
	void rejoinRefusesARunningNodeItselfANonMemberAndAStoppedUpstream() {
		try (PostgresCluster cluster = PostgresCluster.builder()
			.baseDirectory(BASE)
			.name("RejoinRefusals")
			.standbys(1)
			.start();
				PostgresCluster other = PostgresCluster.builder()
					.baseDirectory(BASE)
					.name("RejoinRefusalsOther")
					.standbys(0)
					.start()) {
			PostgresNode primary = cluster.node(0);
			PostgresNode standby = cluster.node(1);
			assertThatIllegalStateException().isThrownBy(() -> cluster.rejoinAsStandby(standby, primary))
				.withMessageContaining("node1")
				.withMessageContaining("while it runs")
				.withMessageContaining("kill() or stop()");
			assertThatIllegalArgumentException().isThrownBy(() -> cluster.rejoinAsStandby(primary, primary))
				.withMessageContaining("as a standby of itself");
			assertThatIllegalArgumentException().isThrownBy(() -> cluster.rejoinAsStandby(other.node(0), primary))
				.withMessageContaining("is not a node of cluster 'RejoinRefusals'");
			assertThatIllegalArgumentException().isThrownBy(() -> cluster.rejoinAsStandby(standby, other.node(0)))
				.withMessageContaining("is not a node of cluster 'RejoinRefusals'");

			standby.kill();
			primary.kill();
			assertThatIllegalStateException().isThrownBy(() -> cluster.rejoinAsStandby(standby, primary))
				.withMessageContaining("node0")
				.withMessageContaining("is not running");
			assertThat(standby.dataDirectory().resolve("PG_VERSION")).as("refusals leave the data folder alone")
				.exists();
			assertThat(standby.dataDirectory().resolve("standby.signal")).exists();
		}
	}

	/**
	 * Insert rows into {@code node} one transaction at a time until {@code action} ends,
	 * and at least one row.
	 * @return the number of rows inserted
	 */
	private static long writeWhile(PostgresNode node, Runnable action) throws Exception {
		AtomicBoolean done = new AtomicBoolean();
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			Future<Long> writer = executor.submit(() -> {
				long rows = 0;
				try (Connection connection = node.connect(); Statement statement = connection.createStatement()) {
					do {
						statement.execute("INSERT INTO items (label) VALUES ('during rejoin')");
						rows++;
					}
					while (!done.get());
				}
				return rows;
			});
			try {
				action.run();
			}
			finally {
				done.set(true);
			}
			return writer.get(30, TimeUnit.SECONDS);
		}
		finally {
			executor.shutdownNow();
		}
	}

	private static void execute(PostgresNode node, String... statements) throws SQLException {
		try (Connection connection = node.connect(); Statement statement = connection.createStatement()) {
			for (String sql : statements) {
				statement.execute(sql);
			}
		}
	}

	private static long count(PostgresNode node) throws SQLException {
		try (Connection connection = node.connect();
				Statement statement = connection.createStatement();
				ResultSet resultSet = statement.executeQuery("SELECT count(*) FROM items")) {
			resultSet.next();
			return resultSet.getLong(1);
		}
	}

	private static String streamingTo(PostgresNode node) throws SQLException {
		try (Connection connection = node.connectAsSuperuser();
				Statement statement = connection.createStatement();
				ResultSet resultSet = statement.executeQuery("SELECT string_agg(application_name, ',' "
						+ "ORDER BY application_name) FROM pg_stat_replication WHERE state = 'streaming'")) {
			resultSet.next();
			return resultSet.getString(1);
		}
	}

}
