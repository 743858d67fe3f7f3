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
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Integration tests for {@link PostgresCluster#freeze(PostgresNode)} and
 * {@link PostgresCluster#thaw(PostgresNode)}: a node that stops answering while its
 * connections stay open.
 *
 * @author Tandem contributors
 */
class PostgresClusterFreezeIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(1);

	@AfterEach
	void thawEveryNode(PostgresCluster cluster) {
		cluster.nodes().forEach(cluster::thaw);
	}

	@Test
	void frozenStandbyKeepsItsConnectionsButAnswersNothingUntilThawed(PostgresCluster cluster) throws Exception {
		PostgresNode standby = cluster.node(1);
		try (Connection timingOut = standby.connect(); Connection waiting = standby.connect()) {
			assertThat(serverPort(timingOut)).isEqualTo(standby.port());
			assertThat(serverPort(waiting)).isEqualTo(standby.port());
			cluster.freeze(standby);
			// Listed while frozen: no process comes or goes meanwhile.
			List<Long> processes = processes(standby);
			assertThat(cluster.isFrozen(standby)).isTrue();
			assertThat(cluster.isFrozen(cluster.node(0))).isFalse();
			assertThat(processes).allSatisfy((pid) -> assertThat(Processes.state(pid)).isEqualTo('T'));
			timingOut.setNetworkTimeout(Runnable::run, 500);
			long started = System.nanoTime();
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> serverPort(timingOut));
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(400),
					Duration.ofSeconds(5));
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> connect(standby, 1).close());
			CompletableFuture<Integer> pending = CompletableFuture.supplyAsync(() -> {
				try {
					return serverPort(waiting);
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			assertThatExceptionOfType(TimeoutException.class).isThrownBy(() -> pending.get(300, TimeUnit.MILLISECONDS));
			cluster.thaw(standby);
			assertThat(cluster.isFrozen(standby)).isFalse();
			assertThat(pending.get(10, TimeUnit.SECONDS)).isEqualTo(standby.port());
			assertThat(processes).allSatisfy((pid) -> assertThat(Processes.state(pid)).isNotEqualTo('T'));
			try (Connection fresh = connect(standby, 1)) {
				assertThat(serverPort(fresh)).isEqualTo(standby.port());
			}
		}
	}

	@Test
	void primaryAndStandbysDoNotAskAFrozenNode(PostgresCluster cluster) {
		cluster.freeze(cluster.node(1));
		long started = System.nanoTime();
		assertThat(cluster.primary()).isSameAs(cluster.node(0));
		assertThat(cluster.standbys()).isEmpty();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
		cluster.thaw(cluster.node(1));
		assertThat(cluster.standbys()).containsExactly(cluster.node(1));
		cluster.awaitReplication(Duration.ofSeconds(10));
	}

	@Test
	void freezingTwiceAndThawingANodeThatIsNotFrozenDoNothing(PostgresCluster cluster) throws SQLException {
		PostgresNode standby = cluster.node(1);
		cluster.thaw(standby);
		cluster.freeze(standby);
		cluster.freeze(standby);
		assertThat(cluster.isFrozen(standby)).isTrue();
		cluster.thaw(standby);
		cluster.thaw(standby);
		assertThat(cluster.isFrozen(standby)).isFalse();
		try (Connection connection = connect(standby, 5)) {
			assertThat(serverPort(connection)).isEqualTo(standby.port());
		}
	}

	@Test
	void stoppingAFrozenNodeThawsItFirst(PostgresCluster cluster) throws Exception {
		PostgresNode standby = cluster.node(1);
		cluster.freeze(standby);
		List<Long> processes = processes(standby);
		long started = System.nanoTime();
		standby.stop();
		// Without the thaw, pg_ctl waits its 30 s for a stopped postmaster.
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
		assertThat(cluster.isFrozen(standby)).isFalse();
		assertThat(processes).noneMatch(Processes::isAlive);
		assertThatIllegalStateException().isThrownBy(() -> cluster.freeze(standby))
			.withMessageContaining("not running");
		standby.start();
		assertThat(standby.isInRecovery()).isTrue();
		cluster.freeze(standby);
		List<Long> restarted = processes(standby);
		standby.kill();
		assertThat(cluster.isFrozen(standby)).isFalse();
		assertThat(restarted).noneMatch(Processes::isAlive);
		standby.start();
		cluster.awaitReplication(Duration.ofSeconds(10));
	}

	@Test
	void closeStopsAFrozenNodeAndLeavesNoProcess() throws Exception {
		PostgresCluster closing = PostgresCluster.builder().name("FreezeClosing").standbys(1).start();
		List<Long> processes = new ArrayList<>();
		closing.nodes().forEach((node) -> processes.addAll(processes(node)));
		closing.freeze(closing.node(1));
		long started = System.nanoTime();
		closing.close();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
		assertThat(processes).hasSizeGreaterThan(2).noneMatch(Processes::isAlive);
		assertThat(closing.directory()).doesNotExist();
	}

	@Test
	void startStopsAFrozenServerLeftByAnEarlierRun() throws Exception {
		PostgresCluster abandoned = PostgresCluster.builder().name("FreezeLeftover").standbys(0).start();
		abandoned.freeze(abandoned.node(0));
		List<Long> leftovers = processes(abandoned.node(0));
		try (PostgresCluster cluster = PostgresCluster.builder().name("FreezeLeftover").standbys(0).start()) {
			assertThat(leftovers).hasSizeGreaterThan(1).noneMatch(Processes::isAlive);
			try (Connection connection = connect(cluster.node(0), 5)) {
				assertThat(serverPort(connection)).isEqualTo(cluster.node(0).port());
			}
		}
	}

	/** The postmaster's pid first, then its children's. */
	private static List<Long> processes(PostgresNode node) {
		long postmaster = Processes.postmasterPid(node.dataDirectory()).orElseThrow();
		List<Long> processes = new ArrayList<>();
		processes.add(postmaster);
		processes.addAll(Processes.descendants(postmaster));
		return processes;
	}

	private static Connection connect(PostgresNode node, int loginTimeoutSeconds) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", node.cluster().username());
		properties.setProperty("password", node.cluster().password());
		properties.setProperty("loginTimeout", Integer.toString(loginTimeoutSeconds));
		// Bounds the driver's connecting thread, which outlives a login timeout.
		properties.setProperty("connectTimeout", "5");
		properties.setProperty("socketTimeout", "10");
		return DriverManager.getConnection(node.jdbcUrl(), properties);
	}

	private static int serverPort(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet resultSet = statement.executeQuery("SELECT inet_server_port()")) {
			resultSet.next();
			return resultSet.getInt(1);
		}
	}

}
