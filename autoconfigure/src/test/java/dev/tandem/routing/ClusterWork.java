package dev.tandem.routing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.tandem.autoconfigure.TandemAutoConfiguration;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresNode;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * An application for failover, lag, retry and balance tests: Tandem with plain JDBC
 * transactions over a testkit cluster, and a service whose every call reports the node
 * that served it.
 */
public final class ClusterWork {

	private ClusterWork() {
	}

	/**
	 * A context runner for Tandem over the cluster, with the given extra properties.
	 */
	static ApplicationContextRunner runner(PostgresCluster cluster, String... properties) {
		return runner(cluster.libpqUrl(), properties);
	}

	/**
	 * A context runner for Tandem over the cluster URL, with the given extra properties.
	 */
	static ApplicationContextRunner runner(String url, String... properties) {
		return runner(url, App.class, properties);
	}

	/**
	 * A context runner for Tandem with plain JDBC transactions over the cluster URL, with
	 * the given application configuration and extra properties.
	 * @param url the cluster URL
	 * @param app the application configuration
	 * @param properties extra properties
	 * @return the runner
	 */
	public static ApplicationContextRunner runner(String url, Class<?> app, String... properties) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class, TransactionAutoConfiguration.class,
					DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class))
			.withUserConfiguration(app)
			.withPropertyValues("tandem.url=" + url)
			.withPropertyValues(properties);
	}

	/**
	 * Creates the table the service writes to, on the primary.
	 */
	static void createTable(PostgresCluster cluster) throws SQLException {
		try (Connection connection = cluster.primary().connect(); Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE IF NOT EXISTS event (id bigserial PRIMARY KEY, n int NOT NULL)");
		}
	}

	/**
	 * Points a standby's WAL receiver at a closed port: it keeps what it has, receives
	 * nothing more, and replays all it received. {@link PostgresCluster#repointStandbys}
	 * undoes it.
	 */
	static void cutOff(PostgresNode standby) throws SQLException {
		try (Connection connection = standby.connectAsSuperuser(); Statement statement = connection.createStatement()) {
			statement.execute("ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=1 user=postgres'");
			statement.execute("SELECT pg_reload_conf()");
		}
	}

	@Configuration(proxyBeanMethods = false)
	@Import(Work.class)
	static class App {

	}

	@Service
	static class Work {

		private final JdbcTemplate jdbc;

		Work(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@Transactional
		public ServingNode insert() {
			this.jdbc.update("INSERT INTO event (n) VALUES (1)");
			return ServingNode.ask(this.jdbc);
		}

		@Transactional
		public void insert(int n) {
			this.jdbc.update("INSERT INTO event (n) VALUES (?)", n);
		}

		/**
		 * Whether the serving node has a row with {@code n}, and its port. Rows are
		 * looked up by value, not by id: after a failover, ids repeat across timelines.
		 * @param n the value
		 * @return {@code found (1 or 0), port}
		 */
		@Transactional(readOnly = true)
		public int[] find(int n) {
			return this.jdbc.queryForObject(
					"SELECT (EXISTS (SELECT 1 FROM event WHERE n = ?))::int, inet_server_port()",
					(rs, row) -> new int[] { rs.getInt(1), rs.getInt(2) }, n);
		}

		@Transactional(readOnly = true)
		public ServingNode read() {
			this.jdbc.queryForObject("SELECT count(*) FROM event", Long.class);
			return ServingNode.ask(this.jdbc);
		}

	}

	/**
	 * The SQLState of the first {@link SQLException} in a failure's causes.
	 * @param failure the failure
	 * @return the SQLState, or {@code null} when no cause is an {@code SQLException}
	 */
	static @Nullable String sqlState(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sql) {
				return sql.getSQLState();
			}
		}
		return null;
	}

	/**
	 * Runs work that must fail and returns the SQLState of its failure.
	 * @param work the work
	 * @return the SQLState, or a description of what happened instead
	 */
	static String sqlStateOf(Runnable work) {
		try {
			work.run();
			return "no failure";
		}
		catch (RuntimeException ex) {
			String state = sqlState(ex);
			return (state != null) ? state : ex.toString();
		}
	}

	/**
	 * The first column of the first row a query returns on a node, as text, asked as the
	 * cluster's user.
	 * @param node the node
	 * @param sql the query
	 * @return the value
	 */
	static String firstValue(PostgresNode node, String sql) throws SQLException {
		try (Connection connection = node.connect();
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery(sql)) {
			rs.next();
			return rs.getString(1);
		}
	}

	/**
	 * The commit time of the last transaction a standby replayed, the epoch when none.
	 */
	static Instant lastReplayedCommit(PostgresNode standby) throws SQLException {
		try (Connection connection = standby.connect();
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT pg_last_xact_replay_timestamp()")) {
			rs.next();
			return (rs.getTimestamp(1) != null) ? rs.getTimestamp(1).toInstant() : Instant.EPOCH;
		}
	}

	/**
	 * Commits on the primary every few milliseconds, so that a paused standby falls
	 * behind.
	 */
	static Thread writeSteadily(PostgresCluster postgres, AtomicBoolean writing) {
		Thread thread = new Thread(() -> {
			try (Connection connection = postgres.primary().connect();
					Statement statement = connection.createStatement()) {
				while (writing.get()) {
					statement.execute("INSERT INTO event (n) VALUES (2)");
					java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
				}
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		}, "primary-writes");
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

}
