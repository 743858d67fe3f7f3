package dev.tandem.benchmarks;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import dev.tandem.testkit.PostgresCluster;

/**
 * Starts every cluster of the benchmarks the same way: a primary and two streaming hot
 * standbys from the testkit, with room for every candidate's pools.
 */
final class Clusters {

	static final int STANDBYS = 2;

	/** Seven candidates with pools of eight, Tandem's monitors, and headroom. */
	static final int MAX_CONNECTIONS = 200;

	static final Duration REPLICATION_WAIT = Duration.ofSeconds(30);

	private Clusters() {
	}

	static PostgresCluster start(String name) {
		return PostgresCluster.builder()
			.name(name)
			.standbys(STANDBYS)
			.setting("max_connections", Integer.toString(MAX_CONNECTIONS))
			.start();
	}

	/**
	 * Runs statements on the primary as the application role, then waits until every
	 * standby has replayed them.
	 * @param cluster the cluster
	 * @param statements the statements
	 */
	static void prepare(PostgresCluster cluster, String... statements) {
		try (Connection connection = cluster.primary().connect(); Statement statement = connection.createStatement()) {
			for (String sql : statements) {
				statement.execute(sql);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not prepare cluster '" + cluster.name() + "'", ex);
		}
		cluster.awaitReplication(REPLICATION_WAIT);
	}

}
