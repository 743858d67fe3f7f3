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

import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for {@link TcpBalancer} in front of the standbys of one shared
 * cluster; each test starts its own balancer.
 *
 * @author Tandem contributors
 */
class TcpBalancerIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	@Test
	void connectionsAlternateBetweenTheStandbys(PostgresCluster cluster) throws SQLException {
		PostgresNode first = cluster.node(1);
		PostgresNode second = cluster.node(2);
		try (TcpBalancer balancer = TcpBalancer.forNodes(cluster.standbys())) {
			assertThat(balancer.backends()).containsExactly(address(first), address(second));
			List<Integer> ports = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				try (Connection connection = connect(balancer, cluster)) {
					ports.add(serverPort(connection));
				}
			}
			assertThat(ports).containsExactly(first.port(), second.port(), first.port(), second.port(), first.port(),
					second.port());
			assertThat(balancer.connections(first)).isEqualTo(3);
			assertThat(balancer.connections(address(second))).isEqualTo(3);
		}
	}

	@Test
	void urlsNameTheBalancer(PostgresCluster cluster) throws SQLException {
		try (TcpBalancer balancer = TcpBalancer.forNodes(cluster.node(1))) {
			assertThat(balancer.jdbcUrl(cluster))
				.isEqualTo("jdbc:postgresql://127.0.0.1:" + balancer.port() + "/tandem");
			assertThat(balancer.libpqUrl(cluster))
				.isEqualTo("postgresql://tandem:tandem@127.0.0.1:" + balancer.port() + "/tandem");
			try (Connection connection = DriverManager.getConnection(balancer.jdbcUrl(cluster.database()),
					cluster.username(), cluster.password())) {
				assertThat(serverPort(connection)).isEqualTo(cluster.node(1).port());
			}
		}
	}

	@Test
	void backendThatRefusesIsSkipped(PostgresCluster cluster) throws SQLException {
		InetSocketAddress refusing = new InetSocketAddress("127.0.0.1", FreePorts.next(Set.of()));
		PostgresNode first = cluster.node(1);
		PostgresNode second = cluster.node(2);
		try (TcpBalancer balancer = TcpBalancer.forAddresses(List.of(refusing, address(first), address(second)))) {
			List<Integer> ports = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				try (Connection connection = connect(balancer, cluster)) {
					ports.add(serverPort(connection));
				}
			}
			// The refusing backend's turns go to the one after it.
			assertThat(ports).containsExactly(first.port(), first.port(), second.port(), first.port());
			assertThat(balancer.connections(refusing)).isZero();
			assertThat(balancer.connections(first)).isEqualTo(3);
		}
	}

	@Test
	void clientIsClosedWhenEveryBackendRefuses(PostgresCluster cluster) {
		InetSocketAddress refusing = new InetSocketAddress("127.0.0.1", FreePorts.next(Set.of()));
		try (TcpBalancer balancer = TcpBalancer.forAddresses(List.of(refusing))) {
			long started = System.nanoTime();
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> connect(balancer, cluster).close());
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
			await().atMost(Duration.ofSeconds(5)).until(() -> balancer.openConnections() == 0);
		}
	}

	@Test
	void delayShowsUpInTheRoundTripsOfThatBackendOnly(PostgresCluster cluster) throws SQLException {
		Duration delay = Duration.ofMillis(100);
		try (TcpBalancer balancer = TcpBalancer.forNodes(cluster.node(1), cluster.node(2))) {
			balancer.delay(cluster.node(2), delay);
			try (Connection direct = connect(balancer, cluster); Connection delayed = connect(balancer, cluster)) {
				assertThat(serverPort(delayed)).isEqualTo(cluster.node(2).port());
				List<Duration> delayedTrips = roundTrips(delayed);
				assertThat(delayedTrips).allSatisfy((trip) -> assertThat(trip).isGreaterThanOrEqualTo(delay));
				assertThat(fastest(delayedTrips)).isLessThan(delay.plusSeconds(1));
				assertThat(fastest(roundTrips(direct))).isLessThan(delay);
				balancer.delay(cluster.node(2), Duration.ZERO);
				assertThat(fastest(roundTrips(delayed))).isLessThan(delay);
			}
		}
	}

	@Test
	void closeClosesPipedConnectionsAndEndsEveryThread(PostgresCluster cluster) throws SQLException {
		TcpBalancer balancer = TcpBalancer.forNodes(cluster.standbys());
		String prefix = "tandem-balancer-" + balancer.port() + "-";
		try (Connection first = connect(balancer, cluster); Connection second = connect(balancer, cluster)) {
			serverPort(first);
			serverPort(second);
			assertThat(balancer.openConnections()).isEqualTo(2);
			assertThat(threadsNamed(prefix)).hasSize(5);
			balancer.close();
			assertThat(threadsNamed(prefix)).isEmpty();
			assertThat(balancer.openConnections()).isZero();
			first.setNetworkTimeout(Runnable::run, 5000);
			second.setNetworkTimeout(Runnable::run, 5000);
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> serverPort(first));
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> serverPort(second));
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> connect(balancer, cluster).close());
		}
	}

	@Test
	void clientGoingAwayClosesItsBackendConnection(PostgresCluster cluster) throws SQLException {
		PostgresNode standby = cluster.node(1);
		try (TcpBalancer balancer = TcpBalancer.forNodes(standby)) {
			Connection connection = connect(balancer, cluster);
			int pid = backendPid(connection);
			assertThat(sessionExists(standby, pid)).isTrue();
			// Drops the socket without PostgreSQL's Terminate message.
			connection.abort(Runnable::run);
			await().atMost(Duration.ofSeconds(10)).until(() -> balancer.openConnections() == 0);
			await().atMost(Duration.ofSeconds(10)).until(() -> !sessionExists(standby, pid));
		}
	}

	@Test
	void backendGoingAwayClosesTheClientConnection(PostgresCluster cluster) throws SQLException {
		PostgresNode standby = cluster.node(1);
		try (TcpBalancer balancer = TcpBalancer.forNodes(standby); Connection connection = connect(balancer, cluster)) {
			int pid = backendPid(connection);
			try (Connection superuser = standby.connectAsSuperuser();
					PreparedStatement statement = superuser.prepareStatement("SELECT pg_terminate_backend(?)")) {
				statement.setInt(1, pid);
				statement.execute();
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> balancer.openConnections() == 0);
			connection.setNetworkTimeout(Runnable::run, 5000);
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> serverPort(connection));
		}
	}

	static Set<String> threadsNamed(String prefix) {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.map(Thread::getName)
			.filter((name) -> name.startsWith(prefix))
			.collect(Collectors.toSet());
	}

	private static InetSocketAddress address(PostgresNode node) {
		return new InetSocketAddress(node.host(), node.port());
	}

	private static Connection connect(TcpBalancer balancer, PostgresCluster cluster) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", cluster.username());
		properties.setProperty("password", cluster.password());
		properties.setProperty("connectTimeout", "5");
		properties.setProperty("socketTimeout", "10");
		return DriverManager.getConnection(balancer.jdbcUrl(cluster), properties);
	}

	private static List<Duration> roundTrips(Connection connection) throws SQLException {
		List<Duration> trips = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			long started = System.nanoTime();
			serverPort(connection);
			trips.add(Duration.ofNanos(System.nanoTime() - started));
		}
		return trips;
	}

	private static Duration fastest(List<Duration> trips) {
		return trips.stream().min(Duration::compareTo).orElseThrow();
	}

	private static int serverPort(Connection connection) throws SQLException {
		return queryInt(connection, "SELECT inet_server_port()");
	}

	private static int backendPid(Connection connection) throws SQLException {
		return queryInt(connection, "SELECT pg_backend_pid()");
	}

	private static int queryInt(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet resultSet = statement.executeQuery(sql)) {
			resultSet.next();
			return resultSet.getInt(1);
		}
	}

	private static boolean sessionExists(PostgresNode node, int pid) {
		return "1".equals(node.querySingle("SELECT count(*)::text FROM pg_stat_activity WHERE pid = ?", pid));
	}

}
